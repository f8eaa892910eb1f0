"""The inbound SMTP listener, for real: smtplib against aiosmtpd on a free loopback port."""

from __future__ import annotations

import base64
import random
import smtplib
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from operant.desk.models import Attachment, Message, Ticket
from operant.mail.channels import smtp as smtp_channel
from operant.mail.channels.smtp import smtp_controller
from operant.mail.models import InboundMessage, InboundState
from tests.dovecot import make_mail

# Every test talks to the listener, whose handler writes from its own thread.
pytestmark = pytest.mark.django_db(transaction=True)
SUPPORT = "support@operantco.com"  # the shipped policy's support address


@pytest.fixture
def smtp_server(catalog: None) -> Iterator[Controller]:
    controller = smtp_controller(host="127.0.0.1", port=0)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def send(server: Controller, raw: bytes, *, to: str = SUPPORT, sender: str = "a@b.test") -> None:
    with smtplib.SMTP(server.hostname, server.port, timeout=60) as client:
        client.sendmail(sender, [to], raw)


def test_mail_for_the_support_address_opens_a_ticket(smtp_server: Controller) -> None:
    raw = make_mail(sender="stranger@elsewhere.test", to=SUPPORT)
    send(smtp_server, raw)
    row = InboundMessage.objects.get()
    assert (row.channel, row.state) == ("smtp", InboundState.PROCESSED)
    assert bytes(row.raw) == raw
    assert Message.objects.get(message_id="m1@client-a.test").ticket == Ticket.objects.get()


def test_mail_for_another_address_is_refused_with_550(smtp_server: Controller) -> None:
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(smtp_server, make_mail(), to="someone-else@operantco.com")
    assert refused.value.recipients["someone-else@operantco.com"][0] == 550
    assert not InboundMessage.objects.exists()


def test_the_same_message_sent_twice_is_one_ticket_message(smtp_server: Controller) -> None:
    raw = make_mail(message_id="resent@client-a.test")
    send(smtp_server, raw)
    send(smtp_server, raw)
    assert InboundMessage.objects.count() == 1
    assert Message.objects.filter(message_id="resent@client-a.test").count() == 1
    assert Ticket.objects.count() == 1


def big_message(blob: bytes) -> bytes:
    """A message with ``blob`` attached, assembled directly: the email package's generator
    takes seconds to wrap 30 MB of base64, and the listener sees the same bytes either way."""
    encoded = base64.encodebytes(blob).replace(b"\n", b"\r\n")
    return (
        b"From: alice@client-a.test\r\n"
        b"To: " + SUPPORT.encode() + b"\r\n"
        b"Subject: Export of last month's messages\r\n"
        b"Message-ID: <big@client-a.test>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b1"\r\n'
        b"\r\n"
        b"--b1\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"\r\n"
        b"The export is attached.\r\n"
        b"--b1\r\n"
        b"Content-Type: application/zip\r\n"
        b'Content-Disposition: attachment; filename="export.zip"\r\n'
        b"Content-Transfer-Encoding: base64\r\n"
        b"\r\n" + encoded + b"--b1--\r\n"
    )


def test_a_30_mb_message_is_accepted_and_its_big_attachment_is_omitted(
    smtp_server: Controller,
) -> None:
    blob = bytes(range(256)) * (22 * 1024 * 1024 // 256)  # ~30 MB once base64-encoded
    raw = big_message(blob)
    assert 29 * 1024 * 1024 < len(raw) < smtp_channel.MAX_MESSAGE_BYTES
    send(smtp_server, raw)
    row = InboundMessage.objects.get()
    assert row.size == len(raw)
    assert row.state == InboundState.PROCESSED
    attachment = Attachment.objects.get(message__message_id="big@client-a.test")
    assert attachment.filename == "export.zip"
    assert attachment.omitted
    assert attachment.size == len(blob)


def test_a_message_over_the_limit_is_refused_with_552_and_not_stored(
    catalog: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(smtp_channel, "MAX_MESSAGE_BYTES", 64 * 1024)
    server = smtp_controller(host="127.0.0.1", port=0)
    server.start()
    try:
        # smtplib declares the SIZE, so the refusal may come at MAIL FROM or after DATA.
        with pytest.raises(smtplib.SMTPResponseException) as refused:
            send(server, make_mail() + b"y" * 100 * 1024 + b"\r\n")
    finally:
        server.stop()
    assert refused.value.smtp_code == 552
    assert not InboundMessage.objects.exists()


def garbage(size: int) -> bytes:
    """Random bytes in CRLF-ended lines: not mail at all. (Bare CR or LF would be mangled by
    smtplib's dot-stuffing on the way, which is the client's doing, not ours.)"""
    noise = random.Random(7).randbytes(size).replace(b"\r", b"").replace(b"\n", b"")
    return b"".join(noise[i : i + 500] + b"\r\n" for i in range(0, len(noise), 500))


def test_garbage_is_stored_flagged_and_the_listener_keeps_going(smtp_server: Controller) -> None:
    noise = garbage(64 * 1024)
    send(smtp_server, noise)
    row = InboundMessage.objects.get()
    assert bytes(row.raw) == noise
    assert row.flagged
    assert row.state == InboundState.FAILED  # unreadable: kept for a person, no ticket
    assert not Ticket.objects.exists()
    send(smtp_server, make_mail(message_id="after-garbage@client-a.test"))
    assert Message.objects.filter(message_id="after-garbage@client-a.test").exists()


def test_lines_longer_than_rfc_5321_allows_are_accepted(smtp_server: Controller) -> None:
    send(smtp_server, make_mail(body="<p>" + "word " * 2000 + "</p>\n", message_id="long@x.test"))
    assert Message.objects.filter(message_id="long@x.test").exists()


def test_a_storage_failure_answers_451_so_the_sender_retries(
    smtp_server: Controller, monkeypatch: pytest.MonkeyPatch
) -> None:
    def database_down(**kwargs: Any) -> Any:
        raise RuntimeError("database is unavailable")

    monkeypatch.setattr("operant.mail.services.inbound_receive", database_down)
    with pytest.raises(smtplib.SMTPDataError) as deferred:
        send(smtp_server, make_mail())
    assert deferred.value.smtp_code == 451
    monkeypatch.undo()
    send(smtp_server, make_mail())  # the sender's retry
    assert InboundMessage.objects.get().state == InboundState.PROCESSED
