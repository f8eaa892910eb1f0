"""One message arriving by several channels (SMTP, IMAP, webhook) is one ticket message."""

from __future__ import annotations

import smtplib
from typing import Any

import pytest

from operant.desk.models import Message, Ticket
from operant.mail.channels.imap import ImapPoller, imap_config
from operant.mail.channels.smtp import smtp_controller
from operant.mail.models import InboundMessage
from tests.dovecot import SUPPORT, DovecotServer, make_mail
from tests.mail.test_channel_webhook import KEY, post

pytestmark = pytest.mark.django_db(transaction=True)


def smtp_send(raw: bytes) -> None:
    server = smtp_controller(host="127.0.0.1", port=0)
    server.start()
    try:
        with smtplib.SMTP(server.hostname, server.port, timeout=60) as client:
            client.sendmail("alice@client-a.test", ["support@operantco.com"], raw)
    finally:
        server.stop()


def test_one_message_by_smtp_imap_and_webhook_is_one_ticket_message(
    imap_settings: DovecotServer, settings: Any, catalog: None
) -> None:
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": KEY}
    raw = make_mail(message_id="everywhere@client-a.test")
    smtp_send(raw)
    # The mailbox copy went through one more hop; Mailgun's too: other bytes, same Message-ID.
    imap_settings.append(SUPPORT, b"Received: from mx.operant.test\r\n" + raw)
    result = ImapPoller(imap_config()).run_once()
    assert post(b"Received: from mailgun.test\r\n" + raw).status_code == 200
    assert (result.fetched, result.stored, result.acknowledged) == (1, 0, 1)
    row = InboundMessage.objects.get()
    assert row.channel == "smtp"  # the first to arrive
    assert Message.objects.filter(message_id="everywhere@client-a.test").count() == 1
    assert Ticket.objects.count() == 1
    assert imap_settings.messages(SUPPORT) == []  # the duplicate is acknowledged, not stuck


def test_a_message_without_message_id_is_recognised_by_its_content(
    imap_settings: DovecotServer, catalog: None
) -> None:
    raw = make_mail(message_id=None, subject="No Message-ID here")
    smtp_send(raw)
    # The mailbox copy went through one more hop: other bytes, the same mail.
    imap_settings.append(SUPPORT, b"Received: from mx.operant.test\r\n" + raw)
    assert ImapPoller(imap_config()).run_once().stored == 0
    assert InboundMessage.objects.count() == 1
    assert Ticket.objects.count() == 1


def test_a_different_mail_under_the_same_message_id_is_kept_by_every_channel(
    imap_settings: DovecotServer, settings: Any, catalog: None
) -> None:
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": KEY}
    smtp_send(make_mail(message_id="reused@client-a.test", subject="First"))
    imap_settings.append(SUPPORT, make_mail(message_id="reused@client-a.test", subject="Second"))
    assert ImapPoller(imap_config()).run_once().stored == 1
    assert post(make_mail(message_id="reused@client-a.test", subject="Third")).status_code == 200
    assert InboundMessage.objects.filter(message_id="reused@client-a.test").count() == 3
    assert Message.objects.filter(message_id="reused@client-a.test").count() == 3
