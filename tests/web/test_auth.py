import pytest
from django.test import Client as DjangoClient
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_page_renders_for_visitors(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b'type="email"' in response.content


@pytest.mark.parametrize(
    ("who", "email", "landing"),
    [
        ("agent", "agent@operant.test", "/console/"),
        ("alice", "ALICE@Acme-Dental.example", "/portal/"),
    ],
)
def test_signing_in_by_email_lands_on_the_users_home(request, password, who, email, landing):
    request.getfixturevalue(who)
    http = DjangoClient()
    response = http.post(reverse("login"), {"username": email, "password": password}, follow=True)
    assert response.redirect_chain[-1][0] == landing
    assert response.status_code == 200


def test_a_wrong_password_is_refused_with_a_message(agent, client):
    response = client.post(reverse("login"), {"username": agent.email, "password": "nope-nope"})
    assert response.status_code == 200
    assert b"do not match an account" in response.content
    assert "_auth_user_id" not in client.session


def test_login_maps_an_address_to_an_admin_chosen_username(client, agent, password):
    agent.username = "avery"
    agent.save()
    response = client.post(reverse("login"), {"username": agent.email, "password": password})
    assert response.status_code == 302


def test_login_refuses_an_external_next_url(agent, client, password):
    response = client.post(
        reverse("login") + "?next=https://evil.example/",
        {"username": agent.email, "password": password, "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_home_sends_each_kind_of_user_to_their_own_page(client, agent_client, alice_client):
    assert client.get("/")["Location"].startswith(reverse("login"))
    assert agent_client.get("/")["Location"] == reverse("console:dashboard")
    assert alice_client.get("/")["Location"] == reverse("portal:home")


def test_logout_is_post_only_and_ends_the_session(alice_client):
    assert alice_client.get(reverse("logout")).status_code == 405
    response = alice_client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert alice_client.get(reverse("portal:home")).status_code == 302
