"""Driving the outbox through its tries, the same way for every channel."""

from __future__ import annotations

from datetime import datetime

from operant.notify.models import DeliveryState, Notification
from operant.notify.services import MAX_ATTEMPTS, notifications_deliver_due


def assert_retried_then_failed(notification: Notification, *, now: datetime, error: str) -> None:
    """Every try fails with ``error``: each is retried after its back-off (never before), and
    the row is marked failed after ``MAX_ATTEMPTS`` and left alone from then on."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert notifications_deliver_due(now=now) == 1
        notification.refresh_from_db()
        assert notification.attempts == attempt
        assert error in notification.last_error
        if attempt < MAX_ATTEMPTS:
            assert notification.state == DeliveryState.QUEUED
            assert notification.due_at > now
            # Not retried before its backoff has passed.
            assert notifications_deliver_due(now=now) == 0
            now = notification.due_at
    assert notification.state == DeliveryState.FAILED
    assert notification.due_at is None
    assert notifications_deliver_due(now=now.replace(year=now.year + 1)) == 0
