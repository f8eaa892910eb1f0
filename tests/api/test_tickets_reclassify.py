"""POST /api/tickets/{ref}/reclassify: the agent's verdict, through the desk service."""

from __future__ import annotations

import pytest

from operant.desk.models import Ticket

pytestmark = pytest.mark.django_db


def reclassify(http, ref: str, body: dict):
    return http.post(f"/api/tickets/{ref}/reclassify", body, content_type="application/json")


def test_it_sets_the_class_and_answers_with_the_recomputed_ticket(
    agent_api, agent, open_ticket
) -> None:
    ticket = open_ticket()
    response = reclassify(agent_api, ticket.ref, {"class": "outage"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ref"] == ticket.ref
    assert (body["class"], body["clause"]) == ("outage", "03")
    assert body["reasons"] == ["set by Avery Agent"]
    # An outage before the cutoff is due by the same day's close: 17:00 New York, in UTC like
    # every time the API gives.
    assert body["clock"]["target_at"] == "2026-12-01T22:00:00Z"
    assert body["messages"] == 0
    event = Ticket.objects.get(pk=ticket.pk).events.get(kind="reclassified")
    assert event.actor == agent


def test_out_of_scope_with_a_policy_category(agent_api, open_ticket) -> None:
    ticket = open_ticket()
    response = reclassify(
        agent_api, ticket.ref, {"class": "out_of_scope", "scope_category": "migration"}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["class"], response.json()["scope_category"]) == (
        "out_of_scope",
        "migration",
    )


def test_an_unknown_class_is_422_listing_the_classes(agent_api, open_ticket) -> None:
    ticket = open_ticket()
    response = reclassify(agent_api, ticket.ref, {"class": "urgent"})
    assert response.status_code == 422
    [issue] = response.json()["detail"]
    assert issue["loc"][-1] == "class"
    for name in ("outage", "general", "adjustment", "out_of_scope", "not_covered"):
        assert f"'{name}'" in issue["msg"]
    ticket.refresh_from_db()
    assert ticket.request_class == "general"


def test_out_of_scope_without_a_category_is_400(agent_api, open_ticket) -> None:
    ticket = open_ticket()
    response = reclassify(agent_api, ticket.ref, {"class": "out_of_scope"})
    assert response.status_code == 400
    assert "out_of_scope needs a scope category" in response.json()["detail"]


def test_a_body_without_class_is_422(agent_api, open_ticket) -> None:
    ticket = open_ticket()
    response = reclassify(agent_api, ticket.ref, {"request_class": "outage"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "body", "class"]


def test_reclassifying_an_unknown_ref_is_404(agent_api) -> None:
    response = reclassify(agent_api, "OPR-404", {"class": "outage"})
    assert response.status_code == 404
    assert response.json() == {"detail": "no ticket OPR-404"}
