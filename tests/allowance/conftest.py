"""Allowance fixtures: clients around the world, tickets to log time on, policy variants."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings

from operant.accounts.models import Client
from operant.desk.models import Ticket

SHIPPED = Path(django_settings.SHIPPED_POLICY)
NY = ZoneInfo("America/New_York")
LONG_AGO = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def at(zone: str, *args: int) -> dt.datetime:
    """A wall-clock time in ``zone``."""
    return dt.datetime(*args, tzinfo=ZoneInfo(zone))


def ny(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=NY)


# Wednesday 16 December 2026, 11:00 in New York: mid-month, nothing near a boundary.
MID_DECEMBER = ny(2026, 12, 16, 11, 0)
DECEMBER = dt.date(2026, 12, 1)
NOVEMBER = dt.date(2026, 11, 1)


def long_standing(client: Client) -> Client:
    """Clients are created "now"; the ledger's tests live in 2026 and need older clients (a
    client's first month carries nothing over)."""
    Client.objects.filter(pk=client.pk).update(created_at=LONG_AGO)
    client.refresh_from_db()
    return client


@pytest.fixture
def acme(client_a: Client) -> Client:
    return long_standing(client_a)


@pytest.fixture
def cobalt(client_c: Client) -> Client:
    return long_standing(client_c)


@pytest.fixture
def make_client(catalog: None) -> Callable[..., Client]:
    from operant.accounts.services import client_create

    def make(name: str, zone: str, email: str) -> Client:
        client = client_create(
            name=name,
            package_key="growth",
            timezone=zone,
            emails=[email],
            billing_email=f"billing@{email.partition('@')[2]}",
        )
        return long_standing(client)

    return make


@pytest.fixture
def ticket_for() -> Callable[..., Ticket]:
    """``ticket_for(client, at=...)``: a ticket opened by the client's first contact."""
    from operant.desk.services import ticket_open

    def make(
        client: Client | None,
        *,
        at: dt.datetime = MID_DECEMBER - dt.timedelta(days=10),
        text: str = "Please fix a typo in the greeting",
        subject: str = "Greeting typo",
    ) -> Ticket:
        contact = client.contacts.order_by("pk").first() if client else None
        return ticket_open(
            client=client,
            contact=contact,
            requester_email=contact.email if contact else "stranger@example.net",
            subject=subject,
            text=text,
            received_at=at,
            now=at,
        )

    return make


@pytest.fixture
def ticket(acme: Client, ticket_for: Callable[..., Ticket]) -> Ticket:
    return ticket_for(acme)


@pytest.fixture
def make_quote(agent):
    """``make_quote(client, state="accepted")``: a quote row as the quotes app leaves it."""
    from operant.quotes.models import Quote

    def make(client: Client, state: str = "accepted") -> Quote:
        return Quote.objects.create(
            client=client,
            title="Booking flow rebuild",
            scope_category="new_feature",
            currency="USD",
            state=state,
            validity_days=30,
            created_by=agent,
            created_at=MID_DECEMBER,
            updated_at=MID_DECEMBER,
        )

    return make
