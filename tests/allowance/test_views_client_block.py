"""The allowance block on the agent's client page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from operant.allowance.models import EntryKind, TimeEntry
from operant.allowance.services import allowance_month_close, time_log
from tests.allowance.conftest import MID_DECEMBER, NOVEMBER

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mid_december():
    with time_machine.travel(MID_DECEMBER, tick=False):
        yield


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def page(http, client):
    return http.get(reverse("console:client", args=[client.slug]))


def test_the_block_shows_this_month_and_the_last_six(agent_client, acme, ticket, agent):
    time_log(ticket=ticket, agent=agent, minutes=12, kind="adjustment", now=MID_DECEMBER)
    time_log(
        ticket=ticket, agent=agent, minutes=30, kind="adjustment",
        work_date=dt.date(2026, 11, 2), now=MID_DECEMBER,
    )  # fmt: skip
    allowance_month_close(client=acme, month=NOVEMBER, now=MID_DECEMBER)
    response = page(agent_client, acme)
    assert response.status_code == 200
    text = text_of(response.content.decode())
    assert "December 2026 (America/New_York) : 12 of 30 minutes used, 18 remaining" in text
    assert "Dec 2026 12 min 30 min 18 min This month" in text
    assert "Nov 2026 30 min 30 min 0 min Closed" in text
    assert "Jul 2026 0 min 30 min 30 min Open" in text
    assert "Jun 2026" not in text


def test_client_users_cannot_see_it(alice_client, charlie_client, acme):
    assert page(alice_client, acme).status_code == 403
    assert page(charlie_client, acme).status_code == 403


def _many_entries(ticket, agent, count: int) -> None:
    """Entries written directly: the point is how many rows the page reads, not the rules."""
    TimeEntry.objects.bulk_create(
        TimeEntry(
            ticket=ticket, client=ticket.client, agent=agent, kind=EntryKind.UNCHARGED,
            minutes=5, work_date=dt.date(2026, 12 - n % 6, 1 + n % 28),
            month=dt.date(2026, 12 - n % 6, 1), created_at=MID_DECEMBER, updated_at=MID_DECEMBER,
        )
        for n in range(count)
    )  # fmt: skip


def test_the_block_costs_the_same_queries_with_many_entries(
    agent_client, acme, ticket, agent, django_assert_max_num_queries
):
    time_log(ticket=ticket, agent=agent, minutes=10, kind="adjustment", now=MID_DECEMBER)
    with CaptureQueriesContext(connection) as few:
        page(agent_client, acme)
    _many_entries(ticket, agent, 600)
    with django_assert_max_num_queries(len(few)):
        response = page(agent_client, acme)
    assert "10 of 30 minutes used" in text_of(response.content.decode())


def test_the_ticket_panel_costs_the_same_queries_with_many_entries(
    agent_client, ticket, agent, django_assert_max_num_queries
):
    url = reverse("console:ticket", args=[ticket.pk])
    time_log(ticket=ticket, agent=agent, minutes=10, kind="adjustment", now=MID_DECEMBER)
    with CaptureQueriesContext(connection) as few:
        agent_client.get(url)
    _many_entries(ticket, agent, 200)
    with django_assert_max_num_queries(len(few)):
        response = agent_client.get(url)
    assert "Total 1010 min" in text_of(response.content.decode())
