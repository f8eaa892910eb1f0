"""SMS through Twilio's official client, from Operant's own account.

The account comes from the settings OPERANT_TWILIO_ACCOUNT_SID, OPERANT_TWILIO_AUTH_TOKEN and
OPERANT_TWILIO_FROM_NUMBER, read at each send so a deployment can add them without a restart of
the code path (and tests can set them). Without them a send fails permanently: retrying
cannot conjure an account.
"""

from __future__ import annotations

import logging

from django.conf import settings
from twilio.base.exceptions import TwilioRestException
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from operant.notify.models import Notification
from operant.notify.transports.base import NotConfigured

log = logging.getLogger(__name__)

# Two concatenated GSM-7 segments: enough for "what broke, where to look"; the rest of an alert
# belongs in email or chat, and a long text costs a segment per 153 characters.
SMS_MAX_CHARS = 306
# ASCII, so a cut text stays in the GSM-7 alphabet (one "…" would make it UCS-2, 70 a segment).
CUT_MARK = "..."
# The client's own default is to wait forever; a hung send would hold the row's lease.
SEND_TIMEOUT_SECONDS = 15.0

_SETTINGS = (
    "OPERANT_TWILIO_ACCOUNT_SID",
    "OPERANT_TWILIO_AUTH_TOKEN",
    "OPERANT_TWILIO_FROM_NUMBER",
)


class SmsRefused(Exception):
    """Twilio refused or failed the request (a failed try; the outbox retries)."""


def sms_text(subject: str, body: str) -> str:
    """The subject, then the body, cut to ``SMS_MAX_CHARS``."""
    text = "\n".join(part for part in (subject.strip(), body.strip()) if part)
    if len(text) <= SMS_MAX_CHARS:
        return text
    return text[: SMS_MAX_CHARS - len(CUT_MARK)].rstrip() + CUT_MARK


def _account() -> tuple[str, str, str]:
    values = tuple(getattr(settings, name, "").strip() for name in _SETTINGS)
    missing = [name for name, value in zip(_SETTINGS, values, strict=True) if not value]
    if missing:
        raise NotConfigured(f"SMS is not configured: set {', '.join(missing)}")
    return values  # type: ignore[return-value]


class SmsTransport:
    """``http_client`` is the official client's HTTP hook (tests aim it at a local fake)."""

    def __init__(self, *, http_client: HttpClient | None = None) -> None:
        self.http_client = http_client

    def send(self, notification: Notification) -> None:
        account_sid, auth_token, from_number = _account()
        http_client = self.http_client or TwilioHttpClient(timeout=SEND_TIMEOUT_SECONDS)
        client = Client(account_sid, auth_token, http_client=http_client)
        body = sms_text(notification.subject, notification.body_text)
        # Alerts carry one number a row; with several, a retry after a refusal re-sends to the
        # numbers before it (the outbox prefers twice to never).
        for number in notification.to:
            try:
                message = client.messages.create(to=number, from_=from_number, body=body)
            except TwilioRestException as exc:
                # The exception's own text turns into coloured art on a terminal.
                raise SmsRefused(
                    f"Twilio answered HTTP {exc.status} (error {exc.code}): {exc.msg}"
                ) from None
            log.info("notification %s: SMS %s queued at Twilio", notification.id, message.sid)
