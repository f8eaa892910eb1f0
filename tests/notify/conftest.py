"""The outside servers the outbox talks to, as local fakes: Twilio's API (through the official
client's ``http_client`` hook) and a chat webhook receiver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from operant.notify.models import Channel
from operant.notify.transports import TRANSPORTS
from operant.notify.transports.sms import SmsTransport
from tests.fakes.chat_webhook import FakeChatWebhook
from tests.fakes.twilio_api import FakeTwilioApi

TWILIO_SID = "AC" + "0123456789abcdef" * 2
TWILIO_TOKEN = "operant-test-auth-token"
TWILIO_FROM = "+15005550006"


@pytest.fixture
def twilio_api(settings, monkeypatch) -> Iterator[FakeTwilioApi]:
    """Operant's Twilio account configured, and SMS sent to a local fake of Twilio's API."""
    settings.OPERANT_TWILIO_ACCOUNT_SID = TWILIO_SID
    settings.OPERANT_TWILIO_AUTH_TOKEN = TWILIO_TOKEN
    settings.OPERANT_TWILIO_FROM_NUMBER = TWILIO_FROM
    with FakeTwilioApi(accounts={TWILIO_SID: TWILIO_TOKEN}) as api:
        monkeypatch.setitem(TRANSPORTS, Channel.SMS, SmsTransport(http_client=api.http_client()))
        yield api


@pytest.fixture
def chat_webhook() -> Iterator[FakeChatWebhook]:
    with FakeChatWebhook() as receiver:
        yield receiver
