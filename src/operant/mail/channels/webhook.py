"""Provider inbound webhook (django-anymail): Mailgun's "forward" route posts each message.

1. The signing key must be configured (OPERANT_MAILGUN_WEBHOOK_SIGNING_KEY); without it the
   webhook answers 503, so Mailgun keeps the mail and retries, instead of us taking unsigned
   posts.
2. Anymail checks Mailgun's signature (HMAC-SHA256 of timestamp + token). The signature does
   not cover the message, so we also refuse a stale timestamp, as Mailgun advises, and a token
   seen before (``SeenWebhookToken``): a captured signature cannot carry another body. A
   refused post gets 403 and a log line (anymail itself would answer 400).
3. A signed post that is not an inbound message anymail can read (neither ``body-mime`` nor
   Mailgun's parsed fields, a store() route, a tracking event) is answered 400 with a log line,
   so Mailgun does not retry it; its token stays spent.
4. ``store_inbound_event`` (connected to ``anymail.signals.inbound``) stores the posted
   ``body-mime`` byte for byte through ``inbound_receive`` and processes it. Mailgun gets its
   200 only after that commit; an error answers 500, the token is released, and Mailgun
   retries.

Mailgun posts the raw MIME only to a URL that ends in "mime": point the route's forward() at
``/webhooks/mailgun/inbound-mime``. ``/webhooks/mailgun/inbound`` takes the parsed form too,
which anymail rebuilds into a message (not byte for byte).

The form is parsed here rather than by Django: Django caps a form field at
DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) and decodes fields as UTF-8, both wrong for a whole
message with attachments in some other charset.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import Message
from email.parser import BytesParser
from typing import Any

from anymail.exceptions import AnymailConfigurationError, AnymailWebhookValidationFailure
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.views.decorators.csrf import csrf_exempt

from operant.mail.channels.smtp import MAX_MESSAGE_BYTES
from operant.mail.models import InboundChannel, SeenWebhookToken
from operant.mail.services import inbound_accept

log = logging.getLogger(__name__)

# Room for the message plus the fields Mailgun posts beside it (parsed text, headers).
MAX_POST_BYTES = MAX_MESSAGE_BYTES + 10 * 1024 * 1024
# Mailgun's advice: refuse signatures whose timestamp is far from now.
MAX_SIGNATURE_AGE_SECONDS = 15 * 60
RAW_ATTRIBUTE = "operant_raw_mime"


PROVIDER = "mailgun"


class WebhookTooLarge(Exception):
    pass


class WebhookUnreadable(Exception):
    """A signed post that holds no inbound message we can read."""


def _form_parts(content_type: str, body: bytes) -> list[Message]:
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace")
    form = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    return list(form.iter_parts()) if form.is_multipart() else []


def _part_bytes(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    if isinstance(data, bytes):
        return data
    # A part labelled message/* or multipart/* was parsed as mail; Mailgun's plain form
    # fields never are, so re-serializing is a fallback, not the usual path.
    payload = part.get_payload()
    items = payload if isinstance(payload, list) else [payload]
    return b"".join(item.as_bytes() if isinstance(item, Message) else b"" for item in items)


def parse_form(request: HttpRequest) -> tuple[QueryDict, MultiValueDict, bytes | None]:
    """The posted form as (fields, files, exact body-mime bytes or None).

    Fields are decoded as UTF-8 for anymail; ``body-mime`` is also returned as posted.
    """
    body = request.read(MAX_POST_BYTES + 1)
    if len(body) > MAX_POST_BYTES:
        raise WebhookTooLarge(f"post over {MAX_POST_BYTES} bytes")
    fields = QueryDict(mutable=True)
    files: MultiValueDict = MultiValueDict()
    raw_mime: bytes | None = None
    if request.content_type == "application/x-www-form-urlencoded":
        # Latin-1 maps every byte to one character, so encoding back gives the exact bytes.
        for name, value in QueryDict(body, encoding="latin-1").lists():
            for item in value:
                data = item.encode("latin-1")
                if name == "body-mime" and raw_mime is None:
                    raw_mime = data
                fields.appendlist(name, data.decode("utf-8", "replace"))
        return fields, files, raw_mime
    for part in _form_parts(request.META.get("CONTENT_TYPE", ""), body):
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        data = _part_bytes(part)
        filename = part.get_filename()
        if filename is not None:
            files.appendlist(
                name, SimpleUploadedFile(filename, data, content_type=part.get_content_type())
            )
            continue
        if name == "body-mime" and raw_mime is None:
            raw_mime = data
        fields.appendlist(name, data.decode("utf-8", "replace"))
    return fields, files, raw_mime


def _token_spend(token: str, signed_at: datetime, now: datetime) -> None:
    """Record ``token`` as used, or refuse it if it was; forget tokens too old to be fresh."""
    try:
        with transaction.atomic():
            SeenWebhookToken.objects.create(provider=PROVIDER, token=token, signed_at=signed_at)
    except IntegrityError:
        raise AnymailWebhookValidationFailure("Mailgun webhook token seen before") from None
    expired = now - timedelta(seconds=MAX_SIGNATURE_AGE_SECONDS)
    SeenWebhookToken.objects.filter(provider=PROVIDER, signed_at__lt=expired).delete()


def _token_release(token: str) -> None:
    SeenWebhookToken.objects.filter(provider=PROVIDER, token=token).delete()


class MailgunInboundView(MailgunInboundWebhookView):
    """Anymail's Mailgun inbound view with our form parsing, freshness and replay checks, 403
    for a refused signature and 400 for a post that holds no message."""

    def run_validators(self, request: HttpRequest) -> None:
        # Anymail's validators first (the signature), so only signed tokens are recorded.
        super().run_validators(request)
        try:
            stamp = int(request.POST.get("timestamp", ""))
        except ValueError:
            raise AnymailWebhookValidationFailure("Mailgun webhook without a timestamp") from None
        now = timezone.now()
        if abs(now.timestamp() - stamp) > MAX_SIGNATURE_AGE_SECONDS:
            raise AnymailWebhookValidationFailure("Mailgun webhook timestamp is stale")
        _token_spend(request.POST["token"], datetime.fromtimestamp(stamp, tz=UTC), now)

    def parse_events(self, request: HttpRequest) -> list[Any]:
        if getattr(request, RAW_ATTRIBUTE, None) is None and "message-headers" not in request.POST:
            raise WebhookUnreadable("no body-mime and no message-headers")
        try:
            return super().parse_events(request)
        except (AnymailConfigurationError, KeyError, ValueError) as exc:
            raise WebhookUnreadable(str(exc)) from exc

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            try:
                fields, files, raw_mime = parse_form(request)
            except WebhookTooLarge as exc:
                log.warning("mailgun inbound webhook refused: %s", exc)
                return HttpResponse("too large", status=413)
            request.POST = fields  # type: ignore[misc]
            # Django would try to parse the body again (already read) for FILES otherwise.
            request._files = files  # type: ignore[attr-defined]
            setattr(request, RAW_ATTRIBUTE, raw_mime)
        remote = request.META.get("REMOTE_ADDR", "?")
        try:
            return super().post(request, *args, **kwargs)
        except AnymailWebhookValidationFailure as exc:
            log.warning("mailgun inbound webhook refused (%s) from %s", exc, remote)
            return HttpResponse("forbidden", status=403)
        except WebhookUnreadable as exc:
            log.warning(
                "mailgun inbound webhook without a readable message (%s) from %s", exc, remote
            )
            return HttpResponse("no inbound message in this post (body-mime)", status=400)
        except Exception:
            # Not stored: let Mailgun's retry through, even if it reuses the signature.
            _token_release(request.POST.get("token", ""))
            raise


_mailgun_view = MailgunInboundView.as_view()


@csrf_exempt
def mailgun_inbound(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    # Checked per request (settings are read at call time); anymail would raise a 500.
    if not getattr(settings, "ANYMAIL", {}).get("MAILGUN_WEBHOOK_SIGNING_KEY"):
        log.error("mailgun inbound webhook called but OPERANT_MAILGUN_WEBHOOK_SIGNING_KEY is unset")
        return HttpResponse("not configured", status=503)
    return _mailgun_view(request, *args, **kwargs)


def store_inbound_event(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    """``anymail.signals.inbound`` receiver: store the message as posted, then process it.

    A storage error propagates (the provider gets a 500 and retries); a processing error is
    logged and left to the worker, since the message is safely stored.
    """
    raw = getattr(event.esp_event, RAW_ATTRIBUTE, None)
    if raw is None:
        # A provider post without the raw MIME: anymail rebuilt the message from its fields.
        raw = event.message.as_bytes()
    row, created = inbound_accept(raw=raw, channel=InboundChannel.WEBHOOK, now=timezone.now())
    log.info(
        "%s inbound webhook: stored inbound #%s <%s> (%s)",
        esp_name,
        row.pk,
        row.message_id,
        "new" if created else "a redelivery",
    )
