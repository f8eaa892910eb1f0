"""GET /api/tickets/{ref}: one ticket in the shared shape, with its conversation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from operant.desk.services import ticket_note, ticket_reply
from tests.api.conftest import OPENED, inbound

pytestmark = pytest.mark.django_db


def test_it_shows_the_ticket_and_its_messages_oldest_first(agent_api, agent, open_ticket) -> None:
    ticket = open_ticket()
    inbound(ticket, "How do the reminder texts work?")
    ticket_reply(ticket=ticket, author=agent, text="Like this.", now=OPENED + timedelta(hours=1))
    ticket_note(
        ticket=ticket, author=agent, text="Sent the guide.", now=OPENED + timedelta(hours=2)
    )
    response = agent_api.get(f"/api/tickets/{ticket.ref}")
    assert response.status_code == 200
    body = response.json()
    assert body["ref"] == ticket.ref
    assert body["class"] == "general"
    assert body["state"] == "waiting"
    assert body["clock"]["state"] == "met"
    assert body["clock"]["first_response_at"] == "2026-12-01T16:00:00Z"
    messages = body["messages"]
    assert [m["kind"] for m in messages] == ["inbound", "outbound", "note"]
    assert messages[0]["from"] == "Alice Adams <alice@acme-dental.example>"
    assert messages[0]["text"] == "How do the reminder texts work?"
    assert messages[0]["created_at"] == "2026-12-01T15:00:00Z"
    assert messages[1]["from"].startswith("Avery Agent <")
    assert messages[1]["text"] == "Like this."
    assert messages[2]["from"] == "Avery Agent"  # an internal note has no address
    assert all(isinstance(m["id"], int) for m in messages)


@pytest.mark.parametrize("spelling", ["OPR-{pk}", "opr-{pk}", "{pk}"])
def test_any_spelling_of_the_reference_finds_it(agent_api, open_ticket, spelling) -> None:
    ticket = open_ticket()
    response = agent_api.get(f"/api/tickets/{spelling.format(pk=ticket.pk)}")
    assert response.status_code == 200
    assert response.json()["ref"] == ticket.ref


def test_an_unknown_ref_is_404_json(agent_api, open_ticket) -> None:
    open_ticket()
    response = agent_api.get("/api/tickets/OPR-999")
    assert response.status_code == 404
    assert response.json() == {"detail": "no ticket OPR-999"}


def test_something_that_is_not_a_ref_is_404_saying_what_a_ref_looks_like(agent_api) -> None:
    response = agent_api.get("/api/tickets/hello")
    assert response.status_code == 404
    assert "not a ticket reference like OPR-1234" in response.json()["detail"]
