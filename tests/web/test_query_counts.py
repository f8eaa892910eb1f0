"""Issue 4, speed: the client pages run the same queries for a handful of time entries as for two
years of them (twenty thousand), so a busy client's page costs no more round trips.

Each test renders the page once to warm the per-process caches (the policy, content types),
counts its queries with a handful of entries, adds twenty thousand over 24 months, and counts
again: the two counts must be equal, and both under a bound that catches a page that grows.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

import pytest
from django.db import connection
from django.test import Client as DjangoClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from operant.allowance.models import EntryKind, TimeEntry
from operant.allowance.months import months_back
from operant.allowance.services import month_of
from tests.web.ticket_helpers import open_ticket

if TYPE_CHECKING:
    from operant.accounts.models import Client, User
    from operant.desk.models import Ticket

pytestmark = pytest.mark.django_db

MANY = 20_000
MONTHS = 24
# Today the pages run 6 to 9 queries; a little room for a new block, and far under one query per
# month of entries (24), let alone per entry.
MAX_QUERIES = 15
# pytest-django's django_assert_max_num_queries: called with the bound, used as a context.
MaxQueries = Callable[[int], AbstractContextManager[object]]


def _entries(client: Client, tickets: list[Ticket], agent: User, count: int) -> None:
    """``count`` entries spread over the client's last 24 months (this one included), on several
    tickets and of every kind, one in fifty removed: written straight to the table, as two
    years of logging would have left them."""
    now = timezone.now()
    months = months_back(month_of(client=client, when=now), MONTHS)
    rows = []
    for index, month, ticket in zip(
        range(count), itertools.cycle(months), itertools.cycle(tickets)
    ):
        rows.append(
            TimeEntry(
                ticket=ticket,
                client=client,
                agent=agent,
                # 5 is prime to the 24 months, so every month gets both kinds. (Quoted time
                # would need accepted quotes; the pages only sum the adjustments.)
                kind=EntryKind.UNCHARGED if index % 5 == 0 else EntryKind.ADJUSTMENT,
                minutes=1 + index % 30,
                work_date=month.replace(day=1 + index % 28),
                month=month,
                note="work",
                created_at=now,
                updated_at=now,
                deleted_at=now if index % 50 == 0 else None,
            )
        )
    TimeEntry.objects.bulk_create(rows, batch_size=2_000)


def _queries(http: DjangoClient, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = http.get(url)
    assert response.status_code == 200
    return len(captured)


def _assert_constant(
    http: DjangoClient,
    url: str,
    client: Client,
    agent: User,
    django_assert_max_num_queries: MaxQueries,
) -> None:
    tickets = [open_ticket(client, subject=f"Request {n}") for n in range(3)]
    _entries(client, tickets, agent, 5)
    http.get(url)  # warm the caches, so both counts below are of a steady page
    few = _queries(http, url)
    _entries(client, tickets, agent, MANY)
    assert TimeEntry.objects.filter(client=client).count() == MANY + 5
    many = _queries(http, url)
    assert many == few, f"{url}: {few} queries with 5 entries, {many} with {MANY + 5}"
    with django_assert_max_num_queries(MAX_QUERIES):
        http.get(url)


def test_the_console_client_page(
    agent_client: DjangoClient,
    client_a: Client,
    agent: User,
    django_assert_max_num_queries: MaxQueries,
) -> None:
    url = reverse("console:client", args=[client_a.slug])
    _assert_constant(agent_client, url, client_a, agent, django_assert_max_num_queries)


def test_the_portal_home(
    alice_client: DjangoClient,
    client_a: Client,
    agent: User,
    django_assert_max_num_queries: MaxQueries,
) -> None:
    url = reverse("portal:home")
    _assert_constant(alice_client, url, client_a, agent, django_assert_max_num_queries)


def test_the_portal_allowance_page(
    alice_client: DjangoClient,
    client_a: Client,
    agent: User,
    django_assert_max_num_queries: MaxQueries,
) -> None:
    url = reverse("portal:allowance")
    _assert_constant(alice_client, url, client_a, agent, django_assert_max_num_queries)


def test_the_pages_still_count_the_minutes(
    alice_client: DjangoClient, client_a: Client, agent: User
) -> None:
    """The constant count is of the same figures: the page's gauge sums this month's entries."""
    ticket = open_ticket(client_a)
    _entries(client_a, [ticket], agent, MONTHS * 3)
    current = month_of(client=client_a, when=timezone.now())
    used = sum(
        TimeEntry.objects.filter(
            client=client_a, month=current, kind=EntryKind.ADJUSTMENT, deleted_at__isnull=True
        ).values_list("minutes", flat=True)
    )
    response = alice_client.get(reverse("portal:allowance"))
    assert response.context["balance"].used_minutes == used
