import datetime as dt

import pytest
import time_machine
from django.urls import reverse

pytestmark = pytest.mark.django_db


def url(client) -> str:
    return reverse("console:client", args=[client.slug])


def test_shows_package_integrations_contacts_domains_and_billing(agent_client, alice, client_a):
    response = agent_client.get(url(client_a))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Package: Growth" in html
    included = {i.key: inc for i, inc in response.context["coverage"]}
    assert included["twilio_voice"] is True
    assert included["instagram_messaging"] is False
    assert "Not included" in html
    assert "alice@acme-dental.example" in html
    assert "Alice Adams" in html
    assert "Portal login" in html
    assert "acme-dental.example</code>" in html
    assert "America/New_York" in html
    assert 'href="mailto:alice@acme-dental.example"' in html  # the billing email


@time_machine.travel(dt.datetime(2026, 1, 15, 17, 30, tzinfo=dt.UTC), tick=False)
def test_shows_the_clients_current_local_time(agent_client, client_c, client_a):
    assert "Thu 15 Jan, 17:30 GMT" in agent_client.get(url(client_c)).content.decode()
    assert "Thu 15 Jan, 12:30 EST" in agent_client.get(url(client_a)).content.decode()


def test_an_unknown_client_is_404_for_agents(agent_client):
    assert agent_client.get(reverse("console:client", args=["nobody"])).status_code == 404


def test_client_users_are_refused_for_their_own_and_other_clients(
    alice_client, charlie_client, client_a, client_c
):
    for http in (alice_client, charlie_client):
        for target in (client_a, client_c):
            response = http.get(url(target))
            assert response.status_code == 403
            assert target.name.encode() not in response.content
    # The same 403 for a slug that does not exist: refusals reveal nothing.
    assert alice_client.get(reverse("console:client", args=["nobody"])).status_code == 403


def test_visitors_are_sent_to_login(client, client_a):
    assert client.get(url(client_a))["Location"].startswith(reverse("login"))
