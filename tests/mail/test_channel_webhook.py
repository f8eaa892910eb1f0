"""Mailgun's inbound webhook through django-anymail, posted the way Mailgun's forward() posts:
multipart/form-data with ``body-mime``, ``timestamp``, ``token`` and ``signature``
(HMAC-SHA256 of timestamp + token under the webhook signing key)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import pytest
from django.test import Client

from operant.desk.models import Message, Ticket
from operant.mail.models import InboundMessage, InboundState
from tests.dovecot import make_mail

pytestmark = pytest.mark.django_db
URL = "/webhooks/mailgun/inbound"
KEY = "key-test-signing-0123456789"
BOUNDARY = "----mailgun-test-boundary-7MA4YWxk"


@pytest.fixture(autouse=True)
def signing_key(settings: Any, catalog: None) -> str:
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": KEY}
    return KEY


def signed(*, key: str = KEY, timestamp: int | None = None, token: str = "t" * 50) -> dict:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(key.encode(), f"{stamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {"timestamp": stamp, "token": token, "signature": digest}


def multipart(fields: dict[str, bytes | str]) -> bytes:
    """The form body, field by field, bytes kept as they are (Mailgun posts the raw MIME)."""
    out = b""
    for name, value in fields.items():
        data = value if isinstance(value, bytes) else value.encode()
        out += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    return out + f"--{BOUNDARY}--\r\n".encode()


def post(raw: bytes, *, security: dict | None = None, **extra: str) -> Any:
    fields: dict[str, bytes | str] = {
        "recipient": "support@operantco.com",
        "sender": "alice@client-a.test",
        "subject": "Reminders",
        "body-mime": raw,
        **(signed() if security is None else security),
        **extra,
    }
    return Client().post(
        URL, data=multipart(fields), content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )


def test_a_signed_post_stores_the_posted_bytes_and_opens_a_ticket() -> None:
    # Latin-1 bytes that are not UTF-8: stored as posted, not as Django would decode them.
    raw = (
        make_mail(sender="stranger@elsewhere.test", body="Se\xf1al\n").replace(
            b"Se=C3=B1al", b"Se\xf1al"
        )
        + b"\xe9\xff trailing 8-bit\r\n"
    )
    response = post(raw)
    assert response.status_code == 200
    row = InboundMessage.objects.get()
    assert (row.channel, row.state) == ("webhook", InboundState.PROCESSED)
    assert bytes(row.raw) == raw
    assert Message.objects.get(message_id="m1@client-a.test").ticket == Ticket.objects.get()


def test_a_forged_signature_gets_403_and_stores_nothing(caplog: Any) -> None:
    with caplog.at_level("WARNING", logger="operant.mail.channels.webhook"):
        response = post(make_mail(), security=signed(key="not-the-key"))
    assert response.status_code == 403
    assert "incorrect signature" in caplog.text
    assert not InboundMessage.objects.exists()


def test_a_post_without_the_signature_fields_gets_403() -> None:
    assert post(make_mail(), security={}).status_code == 403
    assert not InboundMessage.objects.exists()


def test_a_stale_signature_gets_403() -> None:
    # A captured signature reused later: Mailgun's signature does not cover the message.
    stale = signed(timestamp=int(time.time()) - 3600)
    assert post(make_mail(), security=stale).status_code == 403
    assert not InboundMessage.objects.exists()


def test_without_a_signing_key_the_webhook_answers_503(settings: Any) -> None:
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": ""}
    assert post(make_mail()).status_code == 503
    assert not InboundMessage.objects.exists()


def test_a_retried_post_is_one_ticket_message() -> None:
    raw = make_mail(message_id="retried@client-a.test")
    assert post(raw).status_code == 200
    assert post(raw, security=signed(token="u" * 50)).status_code == 200
    assert InboundMessage.objects.count() == 1
    assert Message.objects.filter(message_id="retried@client-a.test").count() == 1


def test_a_message_larger_than_djangos_form_field_limit_is_accepted() -> None:
    # Django refuses form fields over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB); mail often is.
    raw = make_mail(body=("x" * 76 + "\n") * 60_000, message_id="large@client-a.test")
    assert len(raw) > 4 * 1024 * 1024
    assert post(raw).status_code == 200
    assert bytes(InboundMessage.objects.get().raw) == raw


def test_a_post_without_raw_mime_is_rebuilt_from_mailguns_fields() -> None:
    fields: dict[str, bytes | str] = {
        "recipient": "support@operantco.com",
        "sender": "stranger@elsewhere.test",
        "from": "Stranger <stranger@elsewhere.test>",
        "subject": "Parsed post",
        "body-plain": "Hello from a parsed post.",
        # Mailgun lists every header of the message here; anymail rebuilds from this list.
        "message-headers": json.dumps(
            [
                ["From", "Stranger <stranger@elsewhere.test>"],
                ["Subject", "Parsed post"],
                ["Message-Id", "<parsed@elsewhere.test>"],
            ]
        ),
        **signed(),
    }
    response = Client().post(
        URL, data=multipart(fields), content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )
    assert response.status_code == 200
    row = InboundMessage.objects.get()
    assert row.message_id == "parsed@elsewhere.test"
    assert row.from_address == "stranger@elsewhere.test"
    assert row.subject == "Parsed post"


def test_an_urlencoded_post_keeps_the_raw_bytes_too() -> None:
    from urllib.parse import urlencode

    raw = make_mail(message_id="urlencoded@client-a.test") + b"\xe9\xff 8-bit\r\n"
    body = urlencode({"body-mime": raw, **signed()}).encode()
    response = Client().post(URL, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert bytes(InboundMessage.objects.get().raw) == raw


def test_a_replayed_signature_cannot_carry_another_message(caplog: Any) -> None:
    # Mailgun signs the timestamp and token, not the message: a captured signature is fresh
    # for 15 minutes, but it is accepted only once.
    security = signed(token="r" * 50)
    assert post(make_mail(message_id="first@client-a.test"), security=security).status_code == 200
    with caplog.at_level("WARNING", logger="operant.mail.channels.webhook"):
        replay = post(make_mail(message_id="forged@client-a.test"), security=security)
    assert replay.status_code == 403
    assert "token seen before" in caplog.text
    assert list(InboundMessage.objects.values_list("message_id", flat=True)) == [
        "first@client-a.test"
    ]


def test_seen_tokens_are_forgotten_once_their_timestamp_is_stale() -> None:
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from operant.mail.models import SeenWebhookToken

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        response = post(make_mail(message_id="a@client-a.test"), security=signed(token="a" * 50))
        assert response.status_code == 200
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        response = post(make_mail(message_id="b@client-a.test"), security=signed(token="b" * 50))
        assert response.status_code == 200
    assert list(SeenWebhookToken.objects.values_list("token", flat=True)) == ["b" * 50]


def test_a_signed_post_without_a_message_gets_400_and_stores_nothing(caplog: Any) -> None:
    fields = {"recipient": "support@operantco.com", "sender": "a@client-a.test", **signed()}
    with caplog.at_level("WARNING", logger="operant.mail.channels.webhook"):
        response = Client().post(
            URL, data=multipart(fields), content_type=f"multipart/form-data; boundary={BOUNDARY}"
        )
    assert response.status_code == 400
    assert "without a readable message" in caplog.text
    assert not InboundMessage.objects.exists()
    # A store() route posts "attachments": anymail cannot read it either.
    store_route = {**fields, **signed(token="s" * 50), "attachments": "[]", "body-mime": "x"}
    response = Client().post(
        URL, data=multipart(store_route), content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )
    assert response.status_code == 400


def test_mailgun_posts_raw_mime_to_the_url_ending_in_mime() -> None:
    raw = make_mail(message_id="mime-url@client-a.test")
    fields = {"body-mime": raw, **signed()}
    response = Client().post(
        URL + "-mime",
        data=multipart(fields),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    assert response.status_code == 200
    assert bytes(InboundMessage.objects.get().raw) == raw


def test_a_post_that_fails_to_store_can_be_retried_with_its_signature() -> None:
    from anymail.signals import inbound

    def fail(**kwargs: Any) -> None:
        raise RuntimeError("database on fire")

    security = signed(token="f" * 50)
    raw = make_mail(message_id="retry@client-a.test")
    inbound.connect(fail, dispatch_uid="test-fail")
    try:
        with pytest.raises(RuntimeError):
            post(raw, security=security)
    finally:
        inbound.disconnect(dispatch_uid="test-fail")
    assert post(raw, security=security).status_code == 200
    assert Message.objects.filter(message_id="retry@client-a.test").count() == 1
