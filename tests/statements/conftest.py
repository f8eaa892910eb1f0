"""Statement fixtures: November 2026 on each client's calendar, with tickets, time and quotes.

Every test writes its files under a fresh ``DATA_DIR``. Times are passed as ``now=``; nothing
reads the wall clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from operant.accounts.models import Client
from operant.allowance.models import TimeEntry
from operant.desk.models import Ticket
from operant.quotes.models import Quote, QuoteLine

NY = ZoneInfo("America/New_York")
NOVEMBER = dt.date(2026, 11, 1)
LONG_AGO = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
# 1 December 2026, 09:00 in New York: November is over for every test client.
AFTER = dt.datetime(2026, 12, 1, 9, 0, tzinfo=NY)


def ny(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=NY)


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def _long_standing(client: Client) -> Client:
    Client.objects.filter(pk=client.pk).update(
        created_at=LONG_AGO, billing_email=f"billing@{client.slug}.example"
    )
    client.refresh_from_db()
    return client


@pytest.fixture
def acme(client_a: Client) -> Client:
    return _long_standing(client_a)


@pytest.fixture
def cobalt(client_c: Client) -> Client:
    return _long_standing(client_c)


@pytest.fixture
def make_ticket() -> Callable[..., Ticket]:
    """``make_ticket(client, at, clock="met", request_class="general")``."""
    from operant.desk.services import ticket_open

    def make(
        client: Client, at: dt.datetime, clock: str = "running", request_class: str = "general"
    ) -> Ticket:
        contact = client.contacts.order_by("pk").first()
        ticket = ticket_open(
            client=client,
            contact=contact,
            requester_email=contact.email,
            subject=f"Request from {client.name}",
            text="Please change the greeting",
            received_at=at,
            now=at,
        )
        Ticket.objects.filter(pk=ticket.pk).update(clock_state=clock, request_class=request_class)
        ticket.refresh_from_db()
        return ticket

    return make


@pytest.fixture
def make_entry(agent: Any) -> Callable[..., TimeEntry]:
    """``make_entry(ticket, day, minutes, kind="adjustment")``: an entry as the ledger stores it."""

    def make(ticket: Ticket, day: dt.date, minutes: int, kind: str = "adjustment") -> TimeEntry:
        stamp = dt.datetime.combine(day, dt.time(12), tzinfo=NY)
        return TimeEntry.objects.create(
            ticket=ticket,
            client=ticket.client,
            agent=agent,
            kind=kind,
            minutes=minutes,
            work_date=day,
            month=day.replace(day=1),
            created_at=stamp,
            updated_at=stamp,
        )

    return make


@pytest.fixture
def make_quote(agent: Any) -> Callable[..., Quote]:
    """``make_quote(client, amount, sent_at=..., state="sent", decided_at=None)``."""

    def make(
        client: Client,
        amount: str,
        *,
        sent_at: dt.datetime,
        state: str = "sent",
        decided_at: dt.datetime | None = None,
        title: str = "Booking flow rebuild",
    ) -> Quote:
        quote = Quote.objects.create(
            client=client,
            title=title,
            scope_category="new_feature",
            currency="USD",
            state=state,
            validity_days=30,
            sent_at=sent_at,
            decided_at=decided_at,
            created_by=agent,
            created_at=sent_at,
            updated_at=sent_at,
        )
        QuoteLine.objects.create(
            quote=quote, kind="fixed", description="Work", amount=Decimal(amount)
        )
        return quote

    return make


@pytest.fixture
def acme_november(acme, make_ticket, make_entry, make_quote) -> Client:
    """Acme's November: four tickets (two met, one breached, one running), 25 allowance
    minutes on two days plus 40 quoted, one quote sent and accepted, one sent only."""
    outage = make_ticket(acme, ny(2026, 11, 3, 10), "met", "outage")
    general = make_ticket(acme, ny(2026, 11, 10, 10), "met")
    make_ticket(acme, ny(2026, 11, 12, 10), "breached", "adjustment")
    make_ticket(acme, ny(2026, 11, 20, 10), "running")
    make_entry(outage, dt.date(2026, 11, 3), 10)
    make_entry(general, dt.date(2026, 11, 10), 15)
    make_entry(general, dt.date(2026, 11, 11), 40, kind="quoted")
    make_quote(
        acme,
        "1200.00",
        sent_at=ny(2026, 11, 4, 9),
        state="accepted",
        decided_at=ny(2026, 11, 6, 9),
    )
    make_quote(acme, "300.50", sent_at=ny(2026, 11, 25, 9), title="Second number")
    return acme
