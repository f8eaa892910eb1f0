"""The fake's flows and numbers answer the official client as Twilio would."""

from __future__ import annotations

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from tests.fakes.twilio_api import FakeTwilioApi
from tests.fakes.twilio_config import TwilioConfig

SID = "AC" + "a" * 32
OTHER = "AC" + "b" * 32
TOKEN = "fake-auth-token"


@pytest.fixture
def api():
    with FakeTwilioApi(accounts={SID: TOKEN, OTHER: TOKEN}) as running:
        yield running


def client(api: FakeTwilioApi, account: str = SID) -> Client:
    return Client(account, TOKEN, http_client=api.http_client())


def test_a_flow_is_served_and_an_update_makes_a_new_revision(api):
    config = TwilioConfig.install(api)
    created = config.add_flow(SID, "Reminders", {"initial_state": "Trigger", "states": []})
    flow = client(api).studio.v2.flows(created["sid"]).fetch()
    assert (flow.friendly_name, flow.revision, flow.status) == ("Reminders", 1, "published")
    assert flow.definition == {"initial_state": "Trigger", "states": []}
    assert flow.date_updated is None

    updated = (
        client(api)
        .studio.v2.flows(created["sid"])
        .update(status="published", definition={"states": [1]}, commit_message="by hand")
    )
    assert (updated.revision, updated.commit_message) == (2, "by hand")
    assert updated.date_updated is not None
    assert client(api).studio.v2.flows(created["sid"]).fetch().definition == {"states": [1]}


def test_another_accounts_flow_is_not_found(api):
    created = TwilioConfig.install(api).add_flow(SID, "Reminders", {})
    with pytest.raises(TwilioRestException) as raised:
        client(api, OTHER).studio.v2.flows(created["sid"]).fetch()
    assert (raised.value.status, raised.value.code) == (404, 20404)


def test_numbers_are_listed_by_phone_number_and_updated(api):
    config = TwilioConfig.install(api)
    config.add_number(SID, "+15550001111", sms_url="https://hooks.example/sms")
    config.add_number(SID, "+15550002222")
    config.add_number(OTHER, "+15550001111")  # another account's number is not listed
    [number] = client(api).incoming_phone_numbers.list(phone_number="+15550001111")
    assert (number.phone_number, number.sms_url, number.sms_method) == (
        "+15550001111",
        "https://hooks.example/sms",
        "POST",
    )
    assert number.sid.startswith("PN")
    client(api).incoming_phone_numbers(number.sid).update(sms_url="https://elsewhere.example/")
    [again] = client(api).incoming_phone_numbers.list(phone_number="+15550001111")
    assert again.sms_url == "https://elsewhere.example/"
    assert client(api).incoming_phone_numbers.list(phone_number="+15559999999") == []
