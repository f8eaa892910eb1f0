"""SMS through the official Twilio client, against a local fake of Twilio's Messages API."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from operant.notify.models import Channel, DeliveryState, Notification
from operant.notify.services import MAX_ATTEMPTS, notification_queue, notifications_deliver_due
from operant.notify.transports.sms import SMS_MAX_CHARS, sms_text
from tests.notify.conftest import TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN
from tests.notify.outbox_helpers import assert_retried_then_failed

NOW = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
PHONE = "+14155550123"
MESSAGES = rf"/2010-04-01/Accounts/{TWILIO_SID}/Messages\.json"
pytestmark = pytest.mark.django_db


def queue_sms(
    subject: str = "Acme booking flow is down", body: str = "No ping since 13:40."
) -> Notification:
    notification = notification_queue(
        channel=Channel.SMS, kind="test.alert", to=[PHONE], subject=subject, body_text=body, now=NOW
    )
    assert notification is not None
    return notification


def test_it_sends_the_text_from_operants_number_with_its_account(twilio_api):
    notification = queue_sms()
    assert notifications_deliver_due(now=NOW) == 1
    [request] = twilio_api.requests_to("api.twilio.com", MESSAGES)
    assert request.form == {
        "To": [PHONE],
        "From": [TWILIO_FROM],
        "Body": ["Acme booking flow is down\nNo ping since 13:40."],
    }
    credentials = base64.b64encode(f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode()
    assert request.headers["authorization"] == f"Basic {credentials}"
    [message] = twilio_api.messages.values()
    assert message["status"] == "queued"
    notification.refresh_from_db()
    assert notification.state == DeliveryState.SENT
    assert notification.sent_at == NOW


def test_a_long_alert_is_cut_to_two_segments_and_says_so(twilio_api):
    queue_sms(body="word " * 200)
    notifications_deliver_due(now=NOW)
    [message] = twilio_api.messages.values()
    assert len(message["body"]) == SMS_MAX_CHARS
    assert message["body"].endswith("...")
    assert message["num_segments"] == "2"


def test_short_texts_are_left_whole():
    assert sms_text("  Down ", "") == "Down"
    assert sms_text("Down", "Since 13:40") == "Down\nSince 13:40"


def test_twilio_failures_are_retried_then_marked_failed(twilio_api):
    twilio_api.fail_next(status=500, code=20500, message="Internal Server Error", times=99)
    assert_retried_then_failed(queue_sms(), now=NOW, error="Twilio answered HTTP 500 (error 20500)")
    assert len(twilio_api.requests) == MAX_ATTEMPTS
    assert twilio_api.messages == {}


def test_a_failed_try_then_a_good_one_sends_once(twilio_api):
    twilio_api.fail_next(status=503, code=20503, message="Service Unavailable")
    notification = queue_sms()
    notifications_deliver_due(now=NOW)
    notification.refresh_from_db()
    assert notification.state == DeliveryState.QUEUED
    assert notifications_deliver_due(now=notification.due_at) == 1
    notification.refresh_from_db()
    assert (notification.state, notification.attempts) == (DeliveryState.SENT, 2)
    assert len(twilio_api.messages) == 1


def test_a_number_twilio_refuses_is_reported_in_its_words(twilio_api):
    notification = notification_queue(
        channel=Channel.SMS, kind="test.alert", to=["+1"], subject="s", body_text="b", now=NOW
    )
    notifications_deliver_due(now=NOW)
    notification.refresh_from_db()
    assert notification.last_error == (
        "SmsRefused: Twilio answered HTTP 400 (error 21211): "
        "Unable to create record: Invalid 'To' Phone Number: +1"
    )


def test_wrong_credentials_are_a_failed_try(twilio_api, settings):
    settings.OPERANT_TWILIO_AUTH_TOKEN = "not-the-token"
    notification = queue_sms()
    notifications_deliver_due(now=NOW)
    notification.refresh_from_db()
    assert notification.state == DeliveryState.QUEUED
    assert "HTTP 401 (error 20003)" in notification.last_error


@pytest.mark.parametrize(
    "missing",
    ["OPERANT_TWILIO_ACCOUNT_SID", "OPERANT_TWILIO_AUTH_TOKEN", "OPERANT_TWILIO_FROM_NUMBER"],
)
def test_without_a_twilio_account_it_fails_at_once_saying_what_is_missing(
    twilio_api, settings, missing
):
    setattr(settings, missing, "")
    notification = queue_sms()
    assert notifications_deliver_due(now=NOW) == 1
    notification.refresh_from_db()
    assert notification.state == DeliveryState.FAILED
    assert notification.attempts == 1
    assert notification.due_at is None
    assert notification.last_error == f"SMS is not configured: set {missing}"
    assert twilio_api.requests == []
