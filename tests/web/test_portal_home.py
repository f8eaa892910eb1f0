import pytest
from django.urls import reverse

from operant.accounts.services import contact_add

pytestmark = pytest.mark.django_db

URL = "/portal/"


def test_shows_the_contacts_own_client_package_team_and_standing(alice_client, client_a):
    contact_add(client=client_a, email="bob@acme-dental.example", name="Bob Brown")
    response = alice_client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Acme Dental" in html
    assert "Your package: Growth" in html
    assert "Twilio Voice" in html
    assert "Bob Brown" in html
    assert "alice@acme-dental.example" in html
    assert "Current" in html


def test_never_shows_another_clients_data(alice_client, charlie_client, client_a, client_c):
    alice_html = alice_client.get(URL).content.decode()
    charlie_html = charlie_client.get(URL).content.decode()
    assert "Cobalt Gym" not in alice_html
    assert "charlie@" not in alice_html
    assert "Acme Dental" not in charlie_html
    assert "alice@" not in charlie_html
    assert "Cobalt Gym" in charlie_html


def test_the_client_is_never_taken_from_the_query(alice_client, client_c):
    html = alice_client.get(URL + f"?client={client_c.slug}&slug={client_c.slug}").content
    assert b"Cobalt Gym" not in html


def test_shows_the_support_address(alice_client, monkeypatch):
    monkeypatch.setattr("operant.web.portal.views.support_email", lambda: "help@operant.test")
    assert b"mailto:help@operant.test" in alice_client.get(URL).content


def test_agents_are_refused(agent_client):
    assert agent_client.get(URL).status_code == 403


def test_a_client_login_without_a_contact_is_refused(alice, alice_client):
    contact = alice.contact
    contact.user = None
    contact.save()
    assert alice_client.get(URL).status_code == 403


def test_visitors_are_sent_to_login(client):
    assert client.get(URL)["Location"] == reverse("login") + "?next=/portal/"
