"""The monthly ledger: allowance, usage derived from entries, carry-over, closed figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from operant.accounts.models import Client
from operant.allowance.ledger import (
    Balance,
    allowance_balance,
    allowance_balances,
    allowance_history,
    month_of,
)
from operant.allowance.models import AllowanceMonth, EntryKind, TimeEntry
from operant.allowance.services import allowance_month_close, time_entry_delete, time_log
from tests.allowance.conftest import DECEMBER, MID_DECEMBER, NOVEMBER, at, ny

pytestmark = pytest.mark.django_db


def log(ticket, agent, minutes, *, day=None, kind=EntryKind.ADJUSTMENT, now=MID_DECEMBER):
    return time_log(ticket=ticket, agent=agent, minutes=minutes, kind=kind, work_date=day, now=now)


def test_a_month_without_entries_has_the_whole_allowance(acme):
    assert allowance_balance(client=acme, month=DECEMBER) == Balance(
        allowance_minutes=30, used_minutes=0, remaining_minutes=30, month=DECEMBER, closed=False
    )


def test_usage_is_the_sum_of_live_adjustment_entries_of_the_month(acme, ticket, agent):
    log(ticket, agent, 10)
    removed = log(ticket, agent, 5)
    log(ticket, agent, 45, kind=EntryKind.UNCHARGED)  # support time does not count
    log(ticket, agent, 7, day=dt.date(2026, 11, 30))  # November's
    time_entry_delete(entry=removed, actor=agent, now=MID_DECEMBER)
    balance = allowance_balance(client=acme, month=DECEMBER)
    assert (balance.used_minutes, balance.remaining_minutes) == (10, 20)
    assert allowance_balance(client=acme, month=NOVEMBER).used_minutes == 7


def test_any_day_of_the_month_names_the_month(acme, ticket, agent):
    log(ticket, agent, 10)
    assert allowance_balance(client=acme, month=dt.date(2026, 12, 31)).month == DECEMBER
    assert allowance_balance(client=acme, month=dt.date(2026, 12, 31)).used_minutes == 10


def test_month_of_uses_the_clients_time_zone(acme, make_client):
    sydney = make_client("Harbour Cafe", "Australia/Sydney", "ops@harbour.example")
    kolkata = make_client("Chai Point", "Asia/Kolkata", "ops@chai.example")
    instant = dt.datetime(2026, 11, 30, 20, 0, tzinfo=dt.UTC)  # 15:00 in New York
    assert month_of(client=acme, when=instant) == NOVEMBER
    assert month_of(client=sydney, when=instant) == DECEMBER  # 07:00 on 1 December
    assert month_of(client=kolkata, when=instant) == DECEMBER  # 01:30 on 1 December
    assert month_of(client=acme, when=dt.date(2026, 12, 9)) == DECEMBER


def test_balances_of_many_clients_take_one_query(acme, cobalt, make_client, agent, ticket_for):
    others = [make_client(f"Client {n}", "Asia/Kolkata", f"c{n}@c{n}.example") for n in range(5)]
    log(ticket_for(acme), agent, 12)
    log(ticket_for(others[0]), agent, 30)
    clients = [acme, cobalt, *others]
    with CaptureQueriesContext(connection) as queries:
        balances = allowance_balances(clients=clients, month=DECEMBER)
    assert len(queries) == 1
    assert set(balances) == {client.pk for client in clients}
    assert balances[acme.pk].used_minutes == 12
    assert balances[others[0].pk].remaining_minutes == 0
    assert balances[cobalt.pk].remaining_minutes == 30
    with CaptureQueriesContext(connection) as queries:
        everyone = allowance_balances(clients=Client.objects.all(), month=DECEMBER)
    assert len(queries) == 1
    assert everyone == balances


def test_carry_over_is_off_by_default(acme, ticket, agent):
    log(ticket, agent, 5, day=dt.date(2026, 11, 20))
    december = allowance_balance(client=acme, month=DECEMBER)
    assert (december.allowance_minutes, december.carried_minutes) == (30, 0)


def test_carry_over_adds_last_months_unused_minutes(acme, ticket, agent, policy_terms):
    policy_terms(carry_over="true")
    log(ticket, agent, 5, day=dt.date(2026, 11, 20))
    log(ticket, agent, 40)
    december = allowance_balance(client=acme, month=DECEMBER)
    assert december == Balance(
        allowance_minutes=55,
        used_minutes=40,
        remaining_minutes=15,
        month=DECEMBER,
        closed=False,
        carried_minutes=25,
    )


def test_carry_over_is_one_month_deep(acme, ticket, agent, policy_terms):
    """October unused entirely: November gets 60, but December only what November left of its
    own 30 (carried minutes never carry again)."""
    policy_terms(carry_over="true")
    november_now = ny(2026, 11, 20, 12, 0)
    log(ticket, agent, 10, day=dt.date(2026, 11, 20), now=november_now)
    assert allowance_balance(client=acme, month=NOVEMBER).allowance_minutes == 60
    assert allowance_balance(client=acme, month=DECEMBER).allowance_minutes == 50


def test_a_clients_first_month_carries_nothing(client_a, policy_terms):
    policy_terms(carry_over="true")
    first = month_of(client=client_a, when=client_a.created_at)
    assert allowance_balance(client=client_a, month=first).carried_minutes == 0
    from operant.allowance.months import add_months

    assert allowance_balance(client=client_a, month=add_months(first, 1)).carried_minutes == 30


def test_a_closed_month_keeps_its_figures_when_the_policy_changes(
    acme, ticket, agent, policy_terms
):
    log(ticket, agent, 12, day=dt.date(2026, 11, 20))
    closed = allowance_month_close(client=acme, month=NOVEMBER, now=MID_DECEMBER)
    assert closed.closed
    assert (closed.allowance_minutes, closed.used_minutes) == (30, 12)
    policy_terms(minutes_per_month="45")
    november = allowance_balance(client=acme, month=NOVEMBER)
    assert (november.allowance_minutes, november.used_minutes, november.closed) == (30, 12, True)
    assert allowance_balance(client=acme, month=DECEMBER).allowance_minutes == 45


def test_carry_over_from_a_closed_month_uses_its_frozen_figures(acme, ticket, agent, policy_terms):
    log(ticket, agent, 12, day=dt.date(2026, 11, 20))
    allowance_month_close(client=acme, month=NOVEMBER, now=MID_DECEMBER)
    policy_terms(carry_over="true", minutes_per_month="45")
    # November's own 30 minutes, less its 12, carry into December's 45.
    december = allowance_balance(client=acme, month=DECEMBER)
    assert (december.allowance_minutes, december.carried_minutes) == (63, 18)


def test_history_lists_the_last_months_newest_first(acme, ticket, agent):
    log(ticket, agent, 7, day=dt.date(2026, 11, 3))
    log(ticket, agent, 9)
    with CaptureQueriesContext(connection) as queries:
        history = allowance_history(client=acme, months=6, now=MID_DECEMBER)
    assert len(queries) == 2
    assert [b.month for b in history] == [
        dt.date(2026, 12, 1),
        dt.date(2026, 11, 1),
        dt.date(2026, 10, 1),
        dt.date(2026, 9, 1),
        dt.date(2026, 8, 1),
        dt.date(2026, 7, 1),
    ]
    assert [b.used_minutes for b in history] == [9, 7, 0, 0, 0, 0]


def test_history_starts_at_the_clients_current_month(make_client):
    sydney = make_client("Harbour Cafe", "Australia/Sydney", "ops@harbour.example")
    # 20:00 UTC on 31 December is already New Year's Day in Sydney.
    history = allowance_history(client=sydney, months=2, now=at("UTC", 2026, 12, 31, 20, 0))
    assert [b.month for b in history] == [dt.date(2027, 1, 1), DECEMBER]


def test_balance_row_ledger_rows_are_not_needed_to_answer(acme):
    allowance_balance(client=acme, month=DECEMBER)
    assert not AllowanceMonth.objects.exists()
    assert not TimeEntry.objects.exists()
