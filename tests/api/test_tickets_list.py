"""GET /api/tickets: the queue, due first, with filters and limit/offset pages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from operant.desk.models import Ticket
from operant.desk.services import ticket_reply, ticket_set_state
from tests.api.conftest import OPENED, inbound, ny

pytestmark = pytest.mark.django_db


def refs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["ref"] for item in response.json()["items"]]


def test_it_lists_tickets_in_the_shared_ticket_shape(agent_api, open_ticket) -> None:
    ticket = open_ticket()
    inbound(ticket, "Could you tell me how the reminder texts work?")
    body = agent_api.get("/api/tickets").json()
    assert body["count"] == 1
    assert (body["limit"], body["offset"]) == (50, 0)
    item = body["items"][0]
    assert item["ref"] == ticket.ref
    assert item["client"] == "acme-dental"
    assert item["requester"] == "alice@acme-dental.example"
    assert item["class"] == "general"
    assert item["scope_category"] is None
    assert item["state"] == "open"
    assert item["clause"] == "01"
    assert item["policy_version"]
    assert item["flagged"] is False
    assert item["messages"] == 1
    # Wednesday's close in New York, in UTC.
    assert item["clock"] == {
        "state": "running",
        "target_at": "2026-12-02T22:00:00Z",
        "limit_at": "2026-12-03T22:00:00Z",
        "first_response_at": None,
    }


def test_tickets_owed_a_response_come_first_then_the_latest_activity(
    agent_api, agent, open_ticket
) -> None:
    general = open_ticket()  # due Wednesday
    answered = open_ticket(at=ny(2026, 11, 30, 10, 0))  # due earlier, but already answered
    ticket_reply(ticket=answered, author=agent, text="Here is how.", now=ny(2026, 11, 30, 11, 0))
    solved = open_ticket(at=ny(2026, 11, 30, 9, 0))  # closed without needing a reply
    ticket_set_state(ticket=solved, state="solved", actor=agent, now=ny(2026, 11, 30, 12, 0))
    outage = open_ticket("Our SMS reminders stopped working this morning")  # due today
    assert outage.target_at < general.target_at
    assert refs(agent_api.get("/api/tickets")) == [
        outage.ref,
        general.ref,
        solved.ref,  # touched at noon
        answered.ref,  # touched at 11:00
    ]


@pytest.fixture
def mixed(agent, open_ticket, client_c):
    """One ticket per kind the filters tell apart."""
    tickets = {
        "general": open_ticket(),
        "outage": open_ticket("Texts are not sending at all"),
        "cobalt": open_ticket(client=client_c, subject="Gym question"),
        "unmatched": open_ticket(client=None, requester="stranger@elsewhere.example"),
        "answered": open_ticket(subject="Answered"),
    }
    ticket_reply(
        ticket=tickets["answered"], author=agent, text="Done.", now=OPENED + timedelta(hours=1)
    )
    Ticket.objects.filter(pk=tickets["unmatched"].pk).update(flagged=True)
    return {name: ticket.ref for name, ticket in tickets.items()}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("class=outage", ["outage"]),
        ("client=cobalt-gym", ["cobalt"]),
        ("unmatched=true", ["unmatched"]),
        ("unmatched=false", ["outage", "general", "cobalt", "answered"]),
        ("flagged=true", ["unmatched"]),
        ("state=waiting", ["answered"]),
        ("clock_state=met", ["answered"]),
        ("class=general&client=acme-dental&state=open", ["general"]),
    ],
)
def test_filters_narrow_the_list(agent_api, mixed, query, expected) -> None:
    response = agent_api.get(f"/api/tickets?{query}")
    assert sorted(refs(response)) == sorted(mixed[name] for name in expected)
    assert response.json()["count"] == len(expected)


def test_an_unknown_client_slug_is_400_not_an_empty_list(agent_api, mixed) -> None:
    response = agent_api.get("/api/tickets?client=acme-dentl")
    assert response.status_code == 400
    assert response.json() == {"detail": "no client with slug 'acme-dentl'"}


@pytest.mark.parametrize(
    "query", ["class=urgent", "state=closed", "clock_state=late", "flagged=maybe"]
)
def test_an_impossible_filter_value_is_422_naming_the_parameter(agent_api, query) -> None:
    response = agent_api.get(f"/api/tickets?{query}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", query.split("=")[0]]


def test_pages_follow_the_queue_order_without_gaps_or_overlaps(agent_api, open_ticket) -> None:
    tickets = [open_ticket(at=OPENED + timedelta(minutes=i)) for i in range(7)]
    everything = refs(agent_api.get("/api/tickets"))
    assert sorted(everything) == sorted(t.ref for t in tickets)
    pages = [agent_api.get(f"/api/tickets?limit=3&offset={o}").json() for o in (0, 3, 6)]
    assert [page["count"] for page in pages] == [7, 7, 7]
    assert [len(page["items"]) for page in pages] == [3, 3, 1]
    assert [item["ref"] for page in pages for item in page["items"]] == everything
    assert agent_api.get("/api/tickets?offset=50").json() == {
        "count": 7,
        "limit": 50,
        "offset": 50,
        "items": [],
    }


@pytest.mark.parametrize("query", ["limit=201", "limit=0", "offset=-1", "limit=ten"])
def test_page_bounds_are_enforced(agent_api, query) -> None:
    assert agent_api.get(f"/api/tickets?{query}").status_code == 422


def test_the_largest_page_is_allowed(agent_api, open_ticket) -> None:
    open_ticket()
    assert agent_api.get("/api/tickets?limit=200").json()["limit"] == 200


def test_listing_costs_the_same_few_queries_however_many_tickets(
    agent_api, agent, open_ticket, client_c, django_assert_max_num_queries
) -> None:
    for i in range(30):
        ticket = open_ticket(
            at=OPENED + timedelta(minutes=i), client=client_c if i % 3 == 0 else None
        )
        inbound(ticket, f"message {i}")
        if i % 5 == 0:
            ticket_reply(ticket=ticket, author=agent, text="Hello", now=OPENED + timedelta(hours=1))
    # The token lookup, its last-used stamp (first use only), the count and the page itself.
    with django_assert_max_num_queries(4):
        body = agent_api.get("/api/tickets?limit=200").json()
    assert body["count"] == 30
    assert sum(item["messages"] for item in body["items"]) == 30 + 6
    # One more for the client filter's slug lookup.
    with django_assert_max_num_queries(4):
        assert agent_api.get("/api/tickets?client=cobalt-gym").json()["count"] == 10
