"""POST /api/tickets/{ref}/reply: the agent's answer goes out through the desk service."""

from __future__ import annotations

import pytest
import time_machine

from operant.desk.models import Message, MessageKind
from operant.notify.models import Notification
from tests.api.conftest import ny

pytestmark = pytest.mark.django_db

# An hour after the fixture tickets arrive: well inside a general inquiry's target.
REPLIED = ny(2026, 12, 1, 11, 0)


@time_machine.travel(REPLIED, tick=False)
def test_it_answers_201_with_the_message_and_stops_the_clock(agent_api, open_ticket) -> None:
    ticket = open_ticket()
    response = agent_api.post(
        f"/api/tickets/{ticket.ref}/reply",
        {"text": "  The texts go out a day ahead.  "},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    message = Message.objects.get(ticket=ticket)
    assert body == {
        "id": message.pk,
        "kind": "outbound",
        "from": f"Avery Agent <{message.from_address}>",
        "created_at": "2026-12-01T16:00:00Z",
        "text": "The texts go out a day ahead.",
    }
    assert message.kind == MessageKind.OUTBOUND
    assert message.author.email == "agent@operant.test"
    assert Notification.objects.filter(kind="desk.reply").count() == 1
    ticket.refresh_from_db()
    assert ticket.state == "waiting"
    assert ticket.clock_state == "met"
    assert ticket.first_response_at == REPLIED


def test_a_blank_reply_is_422(agent_api, open_ticket) -> None:
    # The schema says the text needs a character that is not a space.
    ticket = open_ticket()
    response = agent_api.post(
        f"/api/tickets/{ticket.ref}/reply", {"text": "  \n "}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "text"
    assert not Message.objects.exists()


def test_a_body_without_text_is_422(agent_api, open_ticket) -> None:
    ticket = open_ticket()
    response = agent_api.post(
        f"/api/tickets/{ticket.ref}/reply", {"message": "hi"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "body", "text"]


def test_a_body_that_is_not_json_is_400_json(agent_api, open_ticket) -> None:
    ticket = open_ticket()
    response = agent_api.post(
        f"/api/tickets/{ticket.ref}/reply", "text=hi", content_type="application/json"
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert not Message.objects.exists()


def test_replying_to_an_unknown_ref_is_404(agent_api) -> None:
    response = agent_api.post(
        "/api/tickets/OPR-404/reply", {"text": "Hello"}, content_type="application/json"
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "no ticket OPR-404"}
