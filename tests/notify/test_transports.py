"""The registry: each channel goes to its transport; a channel without one fails at once."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes

import pytest
from django.core import mail

from operant.notify.models import Channel, DeliveryState, Notification
from operant.notify.services import notification_queue, notifications_deliver_due
from operant.notify.transports import (
    TRANSPORTS,
    NotConfigured,
    register_transport,
    transport_for,
)
from operant.notify.transports.chat_webhook import ChatWebhookTransport
from operant.notify.transports.email import EmailTransport
from operant.notify.transports.sms import SmsTransport

NOW = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


class Recording:
    def __init__(self) -> None:
        self.sent: list[int] = []

    def send(self, notification: Notification) -> None:
        self.sent.append(notification.id)


def test_each_built_in_channel_has_its_transport():
    assert isinstance(transport_for(Channel.EMAIL), EmailTransport)
    assert isinstance(transport_for(Channel.SMS), SmsTransport)
    assert isinstance(transport_for(Channel.CHAT_WEBHOOK), ChatWebhookTransport)
    assert set(TRANSPORTS) >= set(Channel.values)


def test_the_outbox_hands_each_row_to_its_channels_transport(monkeypatch):
    recording = Recording()
    # Saved by monkeypatch first, so the real transport is back after the test.
    monkeypatch.setitem(TRANSPORTS, Channel.SMS, TRANSPORTS[Channel.SMS])
    register_transport(Channel.SMS, recording)
    sms = notification_queue(
        channel=Channel.SMS, kind="k", to=["+14155550123"], subject="s", body_text="b", now=NOW
    )
    notification_queue(kind="k", to=["a@example.com"], subject="s", body_text="b", now=NOW)
    assert notifications_deliver_due(now=NOW) == 2
    assert recording.sent == [sms.id]
    assert [message.to for message in mail.outbox] == [["a@example.com"]]
    assert Notification.objects.filter(state=DeliveryState.SENT).count() == 2


def test_a_channel_with_no_transport_fails_at_once(monkeypatch):
    monkeypatch.delitem(TRANSPORTS, Channel.CHAT_WEBHOOK)
    with pytest.raises(NotConfigured):
        transport_for(Channel.CHAT_WEBHOOK)
    notification = notification_queue(
        channel=Channel.CHAT_WEBHOOK,
        kind="k",
        to=["https://x"],
        subject="s",
        body_text="b",
        now=NOW,
    )
    notifications_deliver_due(now=NOW)
    notification.refresh_from_db()
    assert notification.state == DeliveryState.FAILED
    assert notification.last_error == "no transport is registered for the channel 'chat_webhook'"


def test_email_keeps_its_html_part_attachments_and_headers(tmp_path):
    attachment = tmp_path / "quote.pdf"
    attachment.write_bytes(b"%PDF-1.4 fake")
    notification = notification_queue(
        kind="quotes.sent",
        to=["client@example.com"],
        subject="Your quote",
        body_text="Plain",
        body_html="<p>Rich</p>",
        headers={"X-Operant-Loop": "1"},
        attachments=[
            {"filename": "Q-1.pdf", "content_type": "application/pdf", "path": str(attachment)}
        ],
        now=NOW,
    )
    notifications_deliver_due(now=NOW)
    [sent] = mail.outbox
    parsed = message_from_bytes(sent.message().as_bytes())
    assert parsed["Message-ID"] == f"<{notification.message_id}>"
    assert parsed["X-Operant-Loop"] == "1"
    types = [part.get_content_type() for part in parsed.walk()]
    assert "text/html" in types
    assert "application/pdf" in types
