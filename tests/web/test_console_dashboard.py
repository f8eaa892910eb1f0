import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = "/console/"


def test_dashboard_counts_clients_by_standing_and_package(agent_client, client_a, client_c):
    client_c.standing = "suspended"
    client_c.save()
    response = agent_client.get(URL)
    assert response.status_code == 200
    assert dict((v, n) for v, _, n in response.context["by_standing"]) == {
        "current": 1,
        "past_due": 0,
        "suspended": 1,
        "reinstated": 0,
    }
    assert {p.key: n for p, n in response.context["by_package"]} == {
        "starter": 1,
        "growth": 1,
        "omnichannel": 0,
    }
    assert b"2 clients on retainer" in response.content


def test_dashboard_nav_links_only_what_exists(agent_client):
    html = agent_client.get(URL).content.decode()
    for label, href in [
        ("Dashboard", "/console/"),
        ("Clients", "/console/clients/"),
        ("Policy", "/policy"),
    ]:
        assert f'href="{href}"' in html
        assert label in html
    assert "coming soon" not in html.lower()
    # Admin is linked only for staff (Django admin would refuse a plain agent).
    assert 'href="/admin/"' not in html


def test_dashboard_links_admin_for_staff(agent, agent_client):
    agent.is_staff = True
    agent.save()
    assert 'href="/admin/"' in agent_client.get(URL).content.decode()


def test_client_users_are_refused(alice_client, charlie_client):
    for http in (alice_client, charlie_client):
        response = http.get(URL)
        assert response.status_code == 403
        assert b"You can't open this page" in response.content


def test_visitors_are_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=/console/"
