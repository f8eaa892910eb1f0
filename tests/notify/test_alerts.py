"""Staff alerts on the channels each person chose, and the checks on those choices."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core import mail

from operant.core.errors import UserError
from operant.notify.alerts import (
    alert_channels_of,
    alert_channels_set,
    alert_test_queue,
    person_alert_queue,
)
from operant.notify.models import Channel, DeliveryState, Notification
from operant.notify.services import notifications_deliver_due

NOW = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
PHONE = "+14155550123"
HOOK = "https://hooks.slack.example/services/T000/B000/XXXX"
pytestmark = pytest.mark.django_db


def choose(user, **overrides):
    fields = {"email": True, "sms": False, "phone": "", "chat": False, "chat_webhook_url": ""}
    fields.update(overrides)
    return alert_channels_set(user_id=user.pk, now=NOW, **fields)


def alert(user_ids, dedupe_key="monitoring.down:flip:7"):
    return person_alert_queue(
        user_ids=user_ids,
        kind="monitoring.down",
        subject="Acme booking flow is down",
        text="No ping since 13:40.",
        dedupe_key=dedupe_key,
        now=NOW,
    )


# -- choosing -------------------------------------------------------------------------------------


def test_a_person_who_never_chose_gets_email_only(agent):
    channels = alert_channels_of(user_id=agent.pk)
    assert channels.pk is None
    assert channels.chosen() == [Channel.EMAIL]


def test_numbers_are_stored_in_e164_whatever_the_punctuation(agent):
    channels = choose(agent, sms=True, phone=" +1 (415) 555-0123 ")
    assert channels.phone == PHONE
    assert alert_channels_of(user_id=agent.pk).chosen() == [Channel.EMAIL, Channel.SMS]


@pytest.mark.parametrize("phone", ["4155550123", "+0 415 555 0123", "+1 415 CALL ME", "+1234"])
def test_a_number_not_in_international_form_is_refused_with_an_example(agent, phone):
    with pytest.raises(UserError, match=r"international form: .* \+14155550123"):
        choose(agent, sms=True, phone=phone)
    assert alert_channels_of(user_id=agent.pk).pk is None


def test_sms_needs_a_number_and_chat_a_url(agent):
    with pytest.raises(UserError, match=r"Enter a phone number to get alerts by SMS\."):
        choose(agent, sms=True)
    with pytest.raises(UserError, match=r"Enter a chat webhook URL to get alerts in chat\."):
        choose(agent, chat=True)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.slack.example/services/X", "must start with https://"),
        ("hooks.slack.example/services/X", "is not a web address"),
        ("ftp://hooks.slack.example/X", "is not a web address"),
        ("https://" + "a" * 500 + ".example", "longer than 500 characters"),
    ],
)
def test_a_webhook_url_must_be_https(agent, url, message):
    with pytest.raises(UserError, match=message):
        choose(agent, chat=True, chat_webhook_url=url)


def test_plain_http_webhooks_are_allowed_while_debugging(agent, settings):
    settings.DEBUG = True
    url = "http://127.0.0.1:9000/hook"
    assert choose(agent, chat=True, chat_webhook_url=url).chat_webhook_url == url


def test_a_number_kept_with_sms_off_is_still_checked_and_not_used(agent):
    with pytest.raises(UserError, match="international form"):
        choose(agent, phone="555")
    channels = choose(agent, phone=PHONE)
    assert channels.chosen() == [Channel.EMAIL]


def test_turning_every_channel_off_still_leaves_email(agent):
    assert choose(agent, email=False).chosen() == [Channel.EMAIL]


# -- queueing -------------------------------------------------------------------------------------


def test_one_row_per_chosen_channel_each_to_its_address(agent):
    choose(agent, sms=True, phone=PHONE, chat=True, chat_webhook_url=HOOK)
    queued = alert([agent.pk])
    assert {(n.channel, tuple(n.to)) for n in queued} == {
        (Channel.EMAIL, (agent.email,)),
        (Channel.SMS, (PHONE,)),
        (Channel.CHAT_WEBHOOK, (HOOK,)),
    }
    assert {n.kind for n in queued} == {"monitoring.down"}
    [email] = [n for n in queued if n.channel == Channel.EMAIL]
    assert email.headers == {"X-Operant-Loop": "1"}


def test_the_same_occasion_is_queued_once_per_person_and_channel(agent, alice):
    choose(agent, email=False, sms=True, phone=PHONE)
    first = alert([agent.pk, alice.pk])
    # A second worker handling the same flip: nothing more.
    assert alert([agent.pk, alice.pk]) == []
    assert sorted(n.dedupe_key for n in first) == [
        f"monitoring.down:flip:7:user:{agent.pk}:sms",
        f"monitoring.down:flip:7:user:{alice.pk}:email",
    ]
    # A channel turned on later still gets the occasion once; the others are not repeated.
    choose(agent, email=True, sms=True, phone=PHONE)
    [late] = alert([agent.pk])
    assert late.channel == Channel.EMAIL
    assert Notification.objects.count() == 3


def test_without_a_key_every_call_queues(agent):
    alert([agent.pk], dedupe_key=None)
    alert([agent.pk], dedupe_key=None)
    assert Notification.objects.filter(channel=Channel.EMAIL).count() == 2


def test_inactive_and_unknown_people_get_nothing(agent):
    agent.is_active = False
    agent.save()
    assert alert([agent.pk, 999_999]) == []


def test_a_person_without_an_email_address_gets_their_other_channels(agent):
    agent.email = ""
    agent.save()
    choose(agent, sms=True, phone=PHONE)
    assert [n.channel for n in alert([agent.pk])] == [Channel.SMS]


def test_every_channel_delivers_through_the_outbox(agent, twilio_api, chat_webhook, settings):
    settings.DEBUG = True  # the fake receiver speaks plain HTTP on loopback
    choose(agent, sms=True, phone=PHONE, chat=True, chat_webhook_url=chat_webhook.url)
    alert([agent.pk])
    assert notifications_deliver_due(now=NOW) == 3
    assert [message.to for message in mail.outbox] == [[agent.email]]
    assert [m["to"] for m in twilio_api.messages.values()] == [PHONE]
    assert chat_webhook.payloads == [{"text": "*Acme booking flow is down*\nNo ping since 13:40."}]
    assert set(Notification.objects.values_list("state", flat=True)) == {DeliveryState.SENT}


def test_a_test_alert_goes_to_each_chosen_channel_once_a_minute(agent):
    choose(agent, sms=True, phone=PHONE)
    queued = alert_test_queue(user_id=agent.pk, now=NOW)
    assert sorted(n.channel for n in queued) == [Channel.EMAIL, Channel.SMS]
    assert {n.kind for n in queued} == {"notify.alert_test"}
    assert alert_test_queue(user_id=agent.pk, now=NOW.replace(second=30)) == []
    assert len(alert_test_queue(user_id=agent.pk, now=NOW.replace(minute=1))) == 2
