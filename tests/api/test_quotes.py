"""POST /api/quotes, POST /api/quotes/{ref}/send, GET /api/quotes: agents only, through the
quote services; refusals are 400 with the service's words and change nothing."""

from __future__ import annotations

from typing import Any

import pytest

from operant.notify.models import Notification
from operant.quotes.models import Quote

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Any) -> None:
    settings.DATA_DIR = tmp_path  # the PDFs of sent quotes


@pytest.fixture
def oos_ticket(open_ticket, agent):
    from operant.desk.services import ticket_reclassify

    ticket = open_ticket("Please migrate our SMS to a new number", subject="Number migration")
    return ticket_reclassify(
        ticket=ticket,
        request_class="out_of_scope",
        scope_category="migration",
        actor=agent,
        now=ticket.created_at,
    )


def _post(api_client, path: str, body: dict[str, Any] | None = None):
    return api_client.post(path, body or {}, content_type="application/json")


LINES = [
    {"kind": "hours", "description": "Port the number", "hours": "1.5"},
    {"kind": "fixed", "description": "Carrier fee", "amount": 20},
]


def test_an_agent_creates_a_quote_with_lines_from_a_ticket(agent_api, oos_ticket) -> None:
    response = _post(agent_api, "/api/quotes", {"ticket": oos_ticket.ref, "lines": LINES})
    assert response.status_code == 201, response.content
    body = response.json()
    quote = Quote.objects.get()
    assert body["ref"] == quote.ref
    assert body["client"] == oos_ticket.client.slug
    assert body["ticket"] == oos_ticket.ref
    assert (body["title"], body["scope_category"], body["clause"]) == (
        "Number migration",
        "migration",
        "02",
    )
    assert (body["state"], body["currency"], body["total"]) == ("draft", "USD", "207.50")
    assert [(line["hours"], line["rate"], line["amount"]) for line in body["lines"]] == [
        ("1.50", "125.00", "187.50"),
        (None, None, "20.00"),
    ]
    assert body["policy_version"] == "2026-03-13"


def test_a_client_quote_without_a_ticket(agent_api, client_a) -> None:
    response = _post(
        agent_api,
        "/api/quotes",
        {
            "client": client_a.slug,
            "title": "Extra adjustments",
            "scope_category": "allowance_overdraft",
            "validity_days": 10,
            "lines": [{"kind": "hours", "description": "Copy edits", "hours": 0.5, "rate": 100}],
        },
    )
    assert response.status_code == 201, response.content
    assert (response.json()["clause"], response.json()["total"]) == ("01", "50.00")


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"lines": [{"kind": "hours", "description": "x", "hours": -1}]}, "hours"),
        ({"lines": [{"kind": "fixed", "description": "x", "amount": "-5"}]}, "amount"),
        ({"lines": [{"kind": "fixed", "description": " ", "amount": "5"}]}, "description"),
        ({"validity_days": 0}, "validity_days"),
        ({"currency": "usd"}, "currency"),
    ],
)
def test_what_the_schema_forbids_is_422_and_creates_nothing(
    agent_api, oos_ticket, body, where
) -> None:
    response = _post(agent_api, "/api/quotes", {"ticket": oos_ticket.ref, **body})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == where
    assert not Quote.objects.exists()


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"scope_category": "general"}, "unknown scope category 'general'"),
        ({"client": "nobody"}, "no client 'nobody'"),
    ],
)
def test_bad_input_is_400_and_creates_nothing(agent_api, oos_ticket, body, detail) -> None:
    response = _post(agent_api, "/api/quotes", {"ticket": oos_ticket.ref, **body})
    assert response.status_code == 400
    assert detail in response.json()["detail"]
    assert not Quote.objects.exists()


def test_a_ticket_with_a_long_subject_gets_a_quote_titled_by_its_start(
    agent_api, oos_ticket
) -> None:
    """The console cuts a long subject to a title that fits; the API does the same (it used to
    answer 400 "at most 200 characters" for a title the caller never gave)."""
    subject = "Please migrate " + "our SMS number " * 16  # 255 characters
    oos_ticket.subject = subject
    oos_ticket.save(update_fields=["subject"])
    response = _post(agent_api, "/api/quotes", {"ticket": oos_ticket.ref, "lines": LINES})
    assert response.status_code == 201, response.content
    assert response.json()["title"] == subject[:200].rstrip()


def test_a_quote_needs_a_client(agent_api, db) -> None:
    response = _post(agent_api, "/api/quotes", {"title": "x", "scope_category": "migration"})
    assert response.status_code == 400
    assert response.json() == {"detail": "name the client, or a ticket filed under one"}


def test_sending_emails_the_quote(agent_api, oos_ticket) -> None:
    ref = _post(agent_api, "/api/quotes", {"ticket": oos_ticket.ref, "lines": LINES}).json()["ref"]
    response = _post(agent_api, f"/api/quotes/{ref}/send")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["revision"], body["sent_to"]) == (
        "sent",
        1,
        "alice@acme-dental.example",
    )
    assert body["valid_until"].endswith("Z")
    assert Notification.objects.filter(kind="quotes.sent").count() == 1


def test_sending_without_lines_or_twice_is_400(agent_api, oos_ticket) -> None:
    ref = _post(agent_api, "/api/quotes", {"ticket": oos_ticket.ref}).json()["ref"]
    response = _post(agent_api, f"/api/quotes/{ref}/send")
    assert response.status_code == 400
    assert "has no line items" in response.json()["detail"]
    assert Quote.objects.get().state == "draft"


def test_sending_in_another_currency_is_400(agent_api, oos_ticket) -> None:
    body = {"ticket": oos_ticket.ref, "currency": "EUR", "lines": LINES}
    ref = _post(agent_api, "/api/quotes", body).json()["ref"]
    response = _post(agent_api, f"/api/quotes/{ref}/send")
    assert response.status_code == 400
    assert "is in EUR but the policy quotes in USD" in response.json()["detail"]
    assert not Notification.objects.filter(kind="quotes.sent").exists()


def test_an_unknown_quote_is_404(agent_api, db) -> None:
    assert _post(agent_api, "/api/quotes/Q-999/send").json() == {"detail": "no quote Q-999"}
    response = _post(agent_api, "/api/quotes/banana/send")
    assert response.status_code == 404


def test_the_list_filters(agent_api, oos_ticket, client_c, agent) -> None:
    from operant.quotes.services import quote_create

    first = _post(agent_api, "/api/quotes", {"ticket": oos_ticket.ref, "lines": LINES}).json()
    _post(agent_api, f"/api/quotes/{first['ref']}/send")
    second = _post(agent_api, "/api/quotes", {"ticket": oos_ticket.ref}).json()
    quote_create(
        client=client_c,
        title="Gym rebuild",
        scope_category="new_feature",
        created_by=agent,
        now=oos_ticket.created_at,
    )
    everything = agent_api.get("/api/quotes").json()
    assert everything["count"] == 3
    sent = agent_api.get("/api/quotes", {"state": "sent"}).json()
    assert [q["ref"] for q in sent["items"]] == [first["ref"]]
    mine = agent_api.get("/api/quotes", {"client": oos_ticket.client.slug, "limit": 1}).json()
    assert (mine["count"], len(mine["items"]), mine["items"][0]["ref"]) == (2, 1, second["ref"])
    by_ticket = agent_api.get("/api/quotes", {"ticket": oos_ticket.ref}).json()
    assert by_ticket["count"] == 2
    assert agent_api.get("/api/quotes", {"state": "lost"}).status_code == 422


def test_client_tokens_and_strangers_are_refused(api, alice_token, oos_ticket) -> None:
    assert api(alice_token).get("/api/quotes").status_code == 403
    refused = api(alice_token).post(
        "/api/quotes", {"ticket": oos_ticket.ref}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert api(None).get("/api/quotes").status_code == 401
    assert not Quote.objects.exists()


def test_the_schema_lists_the_quote_routes(client, db) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert set(paths["/api/quotes"]) == {"get", "post"}
    assert set(paths["/api/quotes/{ref}/send"]) == {"post"}
    assert set(paths["/api/quotes/{ref}/send"]["post"]["responses"]) >= {"200", "400", "404"}
