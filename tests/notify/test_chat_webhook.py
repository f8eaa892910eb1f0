"""Chat alerts: Slack-format JSON posted to a local webhook receiver."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from operant.notify.models import Channel, DeliveryState, Notification
from operant.notify.services import MAX_ATTEMPTS, notification_queue, notifications_deliver_due
from operant.notify.transports.chat_webhook import chat_text
from tests.fakes.chat_webhook import FakeChatWebhook
from tests.notify.outbox_helpers import assert_retried_then_failed

NOW = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


def queue_chat(url: str) -> Notification:
    notification = notification_queue(
        channel=Channel.CHAT_WEBHOOK,
        kind="test.alert",
        to=[url],
        subject="Acme booking flow is down",
        body_text="No ping since 13:40 <ticket OPR-12>",
        now=NOW,
    )
    assert notification is not None
    return notification


def test_it_posts_slack_json_and_marks_it_sent(chat_webhook):
    notification = queue_chat(chat_webhook.url)
    assert notifications_deliver_due(now=NOW) == 1
    [request] = chat_webhook.requests
    assert request.headers["content-type"] == "application/json"
    assert request.json == {
        "text": "*Acme booking flow is down*\nNo ping since 13:40 &lt;ticket OPR-12&gt;"
    }
    notification.refresh_from_db()
    assert notification.state == DeliveryState.SENT


def test_slacks_control_characters_are_escaped():
    assert chat_text("A & B", "<@here>") == "*A &amp; B*\n&lt;@here&gt;"
    assert chat_text("", "only a body") == "only a body"


def test_a_webhook_answering_non_2xx_is_retried_then_marked_failed(chat_webhook):
    chat_webhook.fail_next(status=500, times=99)
    assert_retried_then_failed(
        queue_chat(chat_webhook.url), now=NOW, error="the chat webhook answered HTTP 500"
    )
    assert len(chat_webhook.requests) == MAX_ATTEMPTS


def test_a_failed_try_then_a_good_one(chat_webhook):
    chat_webhook.fail_next(status=429)
    notification = queue_chat(chat_webhook.url)
    notifications_deliver_due(now=NOW)
    notification.refresh_from_db()
    assert "HTTP 429" in notification.last_error
    notifications_deliver_due(now=notification.due_at)
    notification.refresh_from_db()
    assert (notification.state, notification.attempts) == (DeliveryState.SENT, 2)


def test_a_redirect_is_not_followed_but_failed(chat_webhook):
    # The receiver answers 404 for paths it does not serve: a URL gone wrong is a failed try.
    notification = queue_chat(chat_webhook.url + "/moved")
    notifications_deliver_due(now=NOW)
    notification.refresh_from_db()
    assert notification.state == DeliveryState.QUEUED
    assert "HTTP 404" in notification.last_error


def test_an_unreachable_webhook_is_a_failed_try():
    with FakeChatWebhook() as receiver:
        url = receiver.url
    # The receiver has stopped: nothing listens on its port now.
    notification = queue_chat(url)
    notifications_deliver_due(now=NOW)
    notification.refresh_from_db()
    assert notification.state == DeliveryState.QUEUED
    assert notification.last_error.startswith("ConnectError")
