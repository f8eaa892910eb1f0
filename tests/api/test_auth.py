"""Who may call the ticket routes: agents' tokens only; everyone else gets a JSON refusal."""

from __future__ import annotations

import pytest
from django.test import Client as DjangoClient
from django.utils import timezone

from operant.accounts.services import agent_create
from operant.api.services import api_token_create, api_token_revoke
from operant.desk.models import Message

pytestmark = pytest.mark.django_db

# (method, path, JSON body): every agent route, on a ticket that exists ({ref} is `ticket`).
ROUTES = [
    ("get", "/api/tickets", None),
    ("get", "/api/tickets/{ref}", None),
    ("post", "/api/tickets/{ref}/reply", {"text": "On it."}),
    ("post", "/api/tickets/{ref}/reclassify", {"class": "outage"}),
]


@pytest.fixture
def ticket(open_ticket):
    return open_ticket()


def call(http, method, path, body, ref=""):
    path = path.format(ref=ref)
    if method == "get":
        return http.get(path)
    return http.post(path, body, content_type="application/json")


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_without_a_token_it_is_401_json_naming_the_scheme(api, ticket, method, path, body) -> None:
    response = call(api(None), method, path, body, ticket.ref)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json() == {"detail": "send an API token as 'Authorization: Bearer <token>'"}


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_a_forged_token_is_401(api, agent_token, ticket, method, path, body) -> None:
    response = call(
        api("opr_forged0000000000000000000000000000000000"), method, path, body, ticket.ref
    )
    assert response.status_code == 401
    assert response.json() == {"detail": "invalid API token"}


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_a_client_users_token_is_403_and_changes_nothing(
    api, alice_token, ticket, method, path, body
) -> None:
    response = call(api(alice_token), method, path, body, ticket.ref)
    assert response.status_code == 403
    assert response.json() == {"detail": "this API route is for Operant staff tokens"}
    ticket.refresh_from_db()
    assert ticket.request_class == "general"
    assert not Message.objects.exists()


def test_a_client_users_token_cannot_probe_which_tickets_exist(api, alice_token, ticket) -> None:
    # Refused before the lookup: an existing and a missing ticket look the same.
    assert api(alice_token).get("/api/tickets/{ref}").status_code == 403
    assert api(alice_token).get("/api/tickets/OPR-999").status_code == 403


def test_a_revoked_token_is_401(api, agent, ticket) -> None:
    token, plaintext = api_token_create(user=agent, name="old script")
    assert api(plaintext).get("/api/tickets").status_code == 200
    api_token_revoke(prefix=token.prefix, now=timezone.now())
    response = api(plaintext).get("/api/tickets")
    assert response.status_code == 401
    assert response.json() == {"detail": "this API token has been revoked"}


def test_a_deactivated_agents_token_is_401(api, agent, agent_token, ticket) -> None:
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    assert api(agent_token).get("/api/tickets").status_code == 401


@pytest.mark.parametrize("header", ["Basic YWdlbnQ6cGFzcw==", "Bearer", "Bearer   ", "Token abc"])
def test_a_malformed_authorization_header_is_401(api, ticket, header) -> None:
    response = DjangoClient(headers={"Authorization": header}).get("/api/tickets")
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["detail"]


def test_a_signed_in_browser_session_is_not_a_token(agent_client, ticket) -> None:
    # The API trusts tokens only: a console session cookie must not open it (no CSRF exposure).
    assert agent_client.get("/api/tickets").status_code == 401


@pytest.mark.parametrize("role", ["operator", "admin"])
def test_every_staff_role_may_use_the_ticket_routes(api, ticket, password, role) -> None:
    staff = agent_create(
        email=f"{role}@operant.test", name=role.title(), password=password, role=role
    )
    _, plaintext = api_token_create(user=staff, name="tests")
    assert api(plaintext).get("/api/tickets").status_code == 200
