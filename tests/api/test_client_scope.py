"""/api/me/*: a client user's token reads its own client's allowance, time and quotes.

The client comes from the token's user only. Both base-case clients get data here, so every
test proves that one client's token sees none of the other's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client as DjangoClient

from operant.allowance.models import EntryKind, TimeEntry

if TYPE_CHECKING:
    from operant.accounts.models import Client, User
    from operant.desk.models import Ticket
    from operant.quotes.models import Quote

pytestmark = pytest.mark.django_db

# A past month, named explicitly: the entries are written straight to the table, so the work
# date rules of time_log (current or previous month only) do not tie the test to today.
MONTH = "2026-11"
NOVEMBER = dt.date(2026, 11, 1)


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path  # the PDFs of sent quotes


@pytest.fixture
def charlie_token(charlie: User) -> str:
    from operant.api.services import api_token_create

    _, plaintext = api_token_create(user=charlie, name="tests")
    return plaintext


@pytest.fixture
def alice_api(api: Callable[[str | None], DjangoClient], alice_token: str) -> DjangoClient:
    return api(alice_token)


@pytest.fixture
def charlie_api(api: Callable[[str | None], DjangoClient], charlie_token: str) -> DjangoClient:
    return api(charlie_token)


def _entry(ticket: Ticket, agent: User, kind: str, minutes: int, day: int, **extra: Any) -> None:
    now = dt.datetime(2026, 11, day, 15, 0, tzinfo=dt.UTC)
    TimeEntry.objects.create(
        ticket=ticket,
        client=ticket.client,
        agent=agent,
        kind=kind,
        minutes=minutes,
        work_date=dt.date(2026, 11, day),
        month=NOVEMBER,
        note=f"internal remark about {ticket.client.name}",
        created_at=now,
        updated_at=now,
        **extra,
    )


@pytest.fixture
def tickets(
    open_ticket: Callable[..., Ticket], client_a: Client, client_c: Client, agent: User
) -> dict[str, Ticket]:
    """One ticket per client, with November time: live entries of each kind and one removed."""
    a = open_ticket(client=client_a, subject="Acme question")
    c = open_ticket(client=client_c, subject="Cobalt question")
    _entry(a, agent, EntryKind.ADJUSTMENT, 10, 3)
    _entry(a, agent, EntryKind.UNCHARGED, 5, 4)
    _entry(
        a, agent, EntryKind.ADJUSTMENT, 99, 5, deleted_at=dt.datetime(2026, 11, 6, tzinfo=dt.UTC)
    )
    _entry(c, agent, EntryKind.ADJUSTMENT, 7, 9)
    return {"a": a, "c": c}


def _quote(client: Client, agent: User, title: str, *, send: bool) -> Quote:
    from operant.quotes.services import quote_create, quote_line_add, quote_send

    now = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)
    quote = quote_create(
        client=client, title=title, scope_category="allowance_overdraft", created_by=agent, now=now
    )
    quote_line_add(quote=quote, kind="hours", description="Copy edits", hours="1.5", rate="100")
    quote_line_add(quote=quote, kind="fixed", description="Carrier fee", amount="20")
    return quote_send(quote=quote, actor=agent, now=now) if send else quote


@pytest.fixture
def quotes(client_a: Client, client_c: Client, agent: User) -> dict[str, Quote]:
    return {
        "a_sent": _quote(client_a, agent, "Acme sent", send=True),
        "a_draft": _quote(client_a, agent, "Acme draft", send=False),
        "c_sent": _quote(client_c, agent, "Cobalt sent", send=True),
    }


# -- who may ask --------------------------------------------------------------------------------

PATHS = [
    f"/api/me/allowance?month={MONTH}",
    "/api/me/allowance/history?months=3",
    f"/api/me/time-entries?month={MONTH}",
    "/api/me/quotes",
]


@pytest.mark.parametrize("path", PATHS)
def test_no_token_is_401(api: Callable[[str | None], DjangoClient], path: str) -> None:
    response = api(None).get(path)
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]


@pytest.mark.parametrize("path", PATHS)
def test_an_agent_token_is_403(agent_api: DjangoClient, path: str) -> None:
    response = agent_api.get(path)
    assert response.status_code == 403
    assert "client contacts" in response.json()["detail"]


def test_a_client_token_is_still_refused_on_agent_routes(
    alice_api: DjangoClient, client_c: Client
) -> None:
    assert alice_api.get(f"/api/clients/{client_c.slug}/allowance").status_code == 403


# -- allowance ---------------------------------------------------------------------------------


def test_each_token_reads_its_own_clients_allowance(
    alice_api: DjangoClient, charlie_api: DjangoClient, tickets: dict[str, Ticket]
) -> None:
    alice = alice_api.get(f"/api/me/allowance?month={MONTH}")
    charlie = charlie_api.get(f"/api/me/allowance?month={MONTH}")
    assert alice.status_code == charlie.status_code == 200, (alice.content, charlie.content)
    # Only live adjustment minutes count: 10 for Acme (the removed 99 does not), 7 for Cobalt.
    assert (alice.json()["client"], alice.json()["used_minutes"]) == ("acme-dental", 10)
    assert (charlie.json()["client"], charlie.json()["used_minutes"]) == ("cobalt-gym", 7)
    assert alice.json()["month"] == MONTH


def test_the_allowance_defaults_to_the_current_month(alice_api: DjangoClient) -> None:
    response = alice_api.get("/api/me/allowance")
    assert response.status_code == 200
    assert response.json()["used_minutes"] == 0


def test_the_history_is_the_own_clients_newest_first(
    alice_api: DjangoClient, charlie_api: DjangoClient, tickets: dict[str, Ticket]
) -> None:
    from datetime import timedelta

    from django.db.models import F

    from operant.accounts.models import Client

    # Clients of long standing: history never reaches back before a client joined.
    Client.objects.update(created_at=F("created_at") - timedelta(days=400))
    alice = alice_api.get("/api/me/allowance/history?months=4").json()
    charlie = charlie_api.get("/api/me/allowance/history?months=4").json()
    assert len(alice) == len(charlie) == 4
    assert {row["client"] for row in alice} == {"acme-dental"}
    assert {row["client"] for row in charlie} == {"cobalt-gym"}
    months = [row["month"] for row in alice]
    assert months == sorted(months, reverse=True)


@pytest.mark.parametrize("months", ["0", "37", "many"])
def test_a_bad_history_length_is_422(alice_api: DjangoClient, months: str) -> None:
    response = alice_api.get(f"/api/me/allowance/history?months={months}")
    assert response.status_code == 422
    assert "months" in str(response.json()["detail"])


@pytest.mark.parametrize("path", ["/api/me/allowance", "/api/me/time-entries"])
@pytest.mark.parametrize("month", ["2026-13", "November", "2026-11-01"])
def test_a_bad_month_is_422_naming_the_parameter(
    alice_api: DjangoClient, path: str, month: str
) -> None:
    # The schema gives the form (YYYY-MM), so the refusal is the schema's.
    response = alice_api.get(f"{path}?month={month}")
    assert response.status_code == 422
    [issue] = response.json()["detail"]
    assert issue["loc"] == ["query", "month"]


@pytest.mark.parametrize("path", ["/api/me/allowance", "/api/me/time-entries"])
def test_a_month_outside_the_years_the_desk_knows_is_400(
    alice_api: DjangoClient, path: str
) -> None:
    response = alice_api.get(f"{path}?month=0001-01")
    assert response.status_code == 400
    assert response.json()["detail"] == "month: '0001-01': the year must be from 1900 to 2999"


# -- time entries ------------------------------------------------------------------------------


def test_time_entries_are_the_own_clients_live_ones_without_notes(
    alice_api: DjangoClient, tickets: dict[str, Ticket]
) -> None:
    response = alice_api.get(f"/api/me/time-entries?month={MONTH}")
    assert response.status_code == 200, response.content
    body = response.json()
    ref = tickets["a"].ref
    assert body["client"] == "acme-dental"
    assert body["month"] == MONTH
    assert body["entries"] == [
        {"date": "2026-11-03", "minutes": 10, "kind": "adjustment", "ticket": ref},
        {"date": "2026-11-04", "minutes": 5, "kind": "uncharged", "ticket": ref},
    ]
    assert body["totals"] == {"adjustment": 10, "quoted": 0, "uncharged": 5}
    # Agents' notes never leave through this route.
    assert "remark" not in response.content.decode()


def test_charlie_sees_only_cobalts_time(
    charlie_api: DjangoClient, tickets: dict[str, Ticket]
) -> None:
    body = charlie_api.get(f"/api/me/time-entries?month={MONTH}").json()
    assert body["client"] == "cobalt-gym"
    assert body["entries"] == [
        {"date": "2026-11-09", "minutes": 7, "kind": "adjustment", "ticket": tickets["c"].ref}
    ]
    assert tickets["a"].ref not in str(body)


# -- quotes ------------------------------------------------------------------------------------


def test_quotes_are_the_own_clients_sent_ones_with_lines_and_totals(
    alice_api: DjangoClient, quotes: dict[str, Quote]
) -> None:
    response = alice_api.get("/api/me/quotes")
    assert response.status_code == 200, response.content
    body = response.json()
    # The draft and Cobalt's quote are left out.
    assert [quote["ref"] for quote in body] == [quotes["a_sent"].ref]
    (quote,) = body
    assert (quote["title"], quote["state"], quote["total"]) == ("Acme sent", "sent", "170.00")
    assert [(line["kind"], line["amount"]) for line in quote["lines"]] == [
        ("hours", "150.00"),
        ("fixed", "20.00"),
    ]
    assert quote["sent_at"] is not None


def test_charlie_sees_only_cobalts_quotes(
    charlie_api: DjangoClient, quotes: dict[str, Quote]
) -> None:
    body = charlie_api.get("/api/me/quotes").json()
    assert [quote["ref"] for quote in body] == [quotes["c_sent"].ref]
    assert "Acme" not in str(body)
