"""A client's live Twilio configuration on the local fake, and a workflow that names it.

``TwilioLive.start`` runs the fake Twilio API, aims the drift reader's official client at it
(``twilio_http_client``, the one factory production uses), stores the client's encrypted
credentials, and sets up one Studio flow and one number; the test changes them "outside
Operant" through the official client, as a client editing their own account would.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone
from twilio.rest import Client as TwilioClient

from operant.monitoring.credentials import twilio_account_set
from operant.monitoring.drift import live as drift_live
from operant.monitoring.registry import Identifiers
from tests.fakes.twilio_api import FakeTwilioApi
from tests.fakes.twilio_config import TwilioConfig

if TYPE_CHECKING:
    from operant.accounts.models import Client

ACCOUNT_SID = "AC" + "c" * 32
AUTH_TOKEN = "0123456789abcdef0123456789abcdef"
PHONE = "+15550102030"
SMS_URL = "https://webhooks.twilio.com/v1/Accounts/AC/Flows/reminders"
VOICE_URL = "https://handler.twilio.com/twiml/EH0001"
DEFINITION = {
    "description": "Appointment reminders",
    "initial_state": "Trigger",
    "states": [
        {"name": "Trigger", "type": "trigger", "transitions": [{"event": "incomingMessage"}]},
        {"name": "send_reminder", "type": "send-message", "properties": {"body": "See you!"}},
    ],
}


@dataclass
class TwilioLive:
    api: FakeTwilioApi
    config: TwilioConfig
    flow_sid: str
    number_sid: str

    @property
    def identifiers(self) -> Identifiers:
        return Identifiers(phones=[PHONE], sids=[self.flow_sid])

    def clients_own_twilio(self) -> TwilioClient:
        """The client's own access to its account: changes made here are outside Operant."""
        return TwilioClient(ACCOUNT_SID, AUTH_TOKEN, http_client=self.api.http_client())

    def edit_flow(self, message: str = "edited in the console") -> None:
        definition = {**DEFINITION, "states": [*DEFINITION["states"], {"name": "extra"}]}
        self.clients_own_twilio().studio.v2.flows(self.flow_sid).update(
            status="published", definition=definition, commit_message=message
        )

    def point_sms_elsewhere(self, url: str = "https://someone-else.example/sms") -> None:
        self.clients_own_twilio().incoming_phone_numbers(self.number_sid).update(sms_url=url)

    @classmethod
    @contextmanager
    def start(cls, monkeypatch: pytest.MonkeyPatch, client: Client) -> Iterator[TwilioLive]:
        with FakeTwilioApi(accounts={ACCOUNT_SID: AUTH_TOKEN}) as api:
            monkeypatch.setattr(
                drift_live, "twilio_http_client", lambda: api.http_client(timeout=5)
            )
            config = TwilioConfig.install(api)
            flow = config.add_flow(ACCOUNT_SID, "Reminders", DEFINITION)
            number = config.add_number(ACCOUNT_SID, PHONE, sms_url=SMS_URL, voice_url=VOICE_URL)
            twilio_account_set(
                client_id=client.pk,
                account_sid=ACCOUNT_SID,
                auth_token=AUTH_TOKEN,
                now=timezone.now(),
            )
            yield cls(api, config, flow["sid"], number["sid"])
