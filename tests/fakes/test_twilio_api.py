"""The fake answers the official client as Twilio would: these pin what later tests lean on."""

from __future__ import annotations

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from tests.fakes.loopback import Reply
from tests.fakes.twilio_api import FakeTwilioApi, FakeTwilioHttpClient

SID = "AC" + "a" * 32
TOKEN = "fake-auth-token"


@pytest.fixture
def api():
    with FakeTwilioApi(accounts={SID: TOKEN}) as running:
        yield running


def client(api: FakeTwilioApi, token: str = TOKEN) -> Client:
    return Client(SID, token, http_client=api.http_client())


def test_it_creates_a_message_and_serves_it_back(api):
    message = client(api).messages.create(to="+15005550006", from_="+15005550001", body="Hi")
    assert message.sid.startswith("SM")
    assert len(message.sid) == 34
    assert message.status == "queued"
    assert message.to == "+15005550006"
    assert message.num_segments == "1"
    [request] = api.requests
    assert request.path == f"/api.twilio.com/2010-04-01/Accounts/{SID}/Messages.json"
    assert request.form == {"To": ["+15005550006"], "From": ["+15005550001"], "Body": ["Hi"]}
    assert client(api).messages(message.sid).fetch().body == "Hi"


def test_it_refuses_wrong_credentials_like_twilio(api):
    with pytest.raises(TwilioRestException) as raised:
        client(api, token="wrong").messages.create(to="+15005550006", from_="+1500", body="x")
    assert (raised.value.status, raised.value.code) == (401, 20003)
    assert api.messages == {}


def test_it_validates_the_message_as_twilio_does(api):
    with pytest.raises(TwilioRestException) as raised:
        client(api).messages.create(to="12345", from_="+15005550001", body="x")
    assert (raised.value.status, raised.value.code) == (400, 21211)


def test_scripted_failures_come_first_then_normal_answers(api):
    api.fail_next(status=503, code=20503, message="Service unavailable", times=1)
    with pytest.raises(TwilioRestException) as raised:
        client(api).messages.create(to="+15005550006", from_="+15005550001", body="x")
    assert raised.value.status == 503
    client(api).messages.create(to="+15005550006", from_="+15005550001", body="x")
    assert len(api.messages) == 1


def test_routes_can_be_added_per_twilio_domain(api):
    api.add_route(
        "GET",
        "studio.twilio.com",
        r"/v2/Flows/(?P<sid>FW[0-9a-f]{32})",
        lambda api, request, match: Reply.json(200, {"sid": match["sid"], "revision": 7}),
    )
    flow_sid = "FW" + "b" * 32
    flow = client(api).studio.v2.flows(flow_sid).fetch()
    assert (flow.sid, flow.revision) == (flow_sid, 7)
    assert api.requests_to("studio.twilio.com", r"/v2/Flows/FW\w+")


def test_the_client_never_reaches_a_host_that_is_not_twilio():
    http = FakeTwilioHttpClient("http://127.0.0.1:9")
    with pytest.raises(ValueError, match="not a Twilio API URL"):
        http.request("GET", "https://example.com/2010-04-01/Accounts.json")
    assert http.fake_url("https://api.dublin.ie1.twilio.com/v1/X?a=1") == (
        "http://127.0.0.1:9/api.dublin.ie1.twilio.com/v1/X?a=1"
    )
