from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from operant.notify.models import DeliveryState, Notification
from operant.notify.services import (
    SEND_LEASE,
    notification_queue,
    notifications_deliver_due,
)
from tests.notify.outbox_helpers import assert_retried_then_failed

NOW = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


def queue(**overrides: object) -> Notification:
    fields = {
        "kind": "test.hello",
        "to": ["client@example.com"],
        "subject": "Hello",
        "body_text": "Body",
        "now": NOW,
    }
    fields.update(overrides)
    notification = notification_queue(**fields)
    assert notification is not None
    return notification


def test_it_sends_a_queued_email_with_its_message_id_and_headers() -> None:
    notification = queue(headers={"X-Operant-Loop": "1", "In-Reply-To": "<abc@x>"})
    assert notifications_deliver_due(now=NOW) == 1
    [sent] = mail.outbox
    assert sent.to == ["client@example.com"]
    assert sent.extra_headers["Message-ID"] == f"<{notification.message_id}>"
    assert sent.extra_headers["In-Reply-To"] == "<abc@x>"
    notification.refresh_from_db()
    assert notification.state == DeliveryState.SENT
    assert notification.sent_at == NOW
    assert notification.due_at is None


def test_it_queues_only_once_per_dedupe_key() -> None:
    queue(dedupe_key="sla-warning:1")
    assert (
        notification_queue(
            kind="test.hello",
            to=["a@b.c"],
            subject="s",
            body_text="b",
            now=NOW,
            dedupe_key="sla-warning:1",
        )
        is None
    )
    assert Notification.objects.count() == 1


def test_it_does_not_send_before_due() -> None:
    queue(now=NOW + timedelta(minutes=5))
    assert notifications_deliver_due(now=NOW) == 0
    assert mail.outbox == []


def test_it_retries_with_backoff_and_then_fails_permanently(settings) -> None:
    settings.EMAIL_BACKEND = "tests.notify.failing_backend.FailingBackend"
    assert_retried_then_failed(queue(), now=NOW, error="SMTP is down")


def test_it_retries_a_send_whose_worker_died_after_the_lease() -> None:
    notification = queue()
    # A worker claimed it and was killed before recording the outcome.
    Notification.objects.filter(id=notification.id).update(
        state=DeliveryState.SENDING, due_at=NOW + SEND_LEASE, attempts=1
    )
    assert notifications_deliver_due(now=NOW + timedelta(minutes=1)) == 0
    assert notifications_deliver_due(now=NOW + SEND_LEASE) == 1
    notification.refresh_from_db()
    assert notification.state == DeliveryState.SENT
    assert len(mail.outbox) == 1
