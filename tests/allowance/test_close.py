"""Closing months: final figures, and the worker that closes each client's previous month."""

from __future__ import annotations

import datetime as dt

import pytest

from operant.allowance.errors import AllowanceError
from operant.allowance.jobs import allowance_months_close_due
from operant.allowance.ledger import allowance_balance
from operant.allowance.models import AllowanceMonth, EntryKind
from operant.allowance.services import allowance_month_close, time_log
from operant.core.worker import JOBS
from tests.allowance.conftest import DECEMBER, MID_DECEMBER, NOVEMBER, at, ny

pytestmark = pytest.mark.django_db


def test_closing_freezes_the_figures_and_starts_the_next_month(ticket, agent, acme):
    time_log(
        ticket=ticket, agent=agent, minutes=18, kind=EntryKind.ADJUSTMENT,
        work_date=dt.date(2026, 11, 12), now=MID_DECEMBER,
    )  # fmt: skip
    balance = allowance_month_close(client=acme, month=NOVEMBER, now=MID_DECEMBER)
    assert balance.closed
    assert (balance.allowance_minutes, balance.used_minutes, balance.remaining_minutes) == (
        30,
        18,
        12,
    )
    row = AllowanceMonth.objects.get(client=acme, month=NOVEMBER)
    assert (row.final_used_minutes, row.closed_at, row.close_due_at) == (18, MID_DECEMBER, None)
    assert row.policy_version is not None
    assert AllowanceMonth.objects.get(client=acme, month=DECEMBER).closed_at is None


def test_closing_twice_returns_the_same_figures(acme):
    first = allowance_month_close(client=acme, month=NOVEMBER, now=MID_DECEMBER)
    again = allowance_month_close(
        client=acme, month=NOVEMBER, now=MID_DECEMBER + dt.timedelta(days=1)
    )
    assert first == again
    assert AllowanceMonth.objects.get(month=NOVEMBER).closed_at == MID_DECEMBER


def test_a_month_that_has_not_ended_cannot_close(acme):
    with pytest.raises(AllowanceError, match="December 2026 has not ended for Acme Dental"):
        allowance_month_close(client=acme, month=DECEMBER, now=MID_DECEMBER)


def test_the_worker_job_is_registered():
    assert JOBS["allowance.close_months"] is allowance_months_close_due


def test_the_worker_starts_ledgers_then_closes_each_month_as_the_clients_next_begins(
    acme, make_client
):
    """Sydney's January begins thirteen hours before London's (and sixteen before New
    York's): each client's December closes at its own midnight."""
    sydney = make_client("Harbour Cafe", "Australia/Sydney", "ops@harbour.example")
    london = make_client("Thames Dental", "Europe/London", "ops@thames.example")
    assert allowance_months_close_due(now=MID_DECEMBER) == 3  # three ledgers started
    assert allowance_months_close_due(now=MID_DECEMBER) == 0

    def closed(client):
        return AllowanceMonth.objects.get(client=client, month=DECEMBER).closed_at is not None

    before_sydney = at("Australia/Sydney", 2026, 12, 31, 23, 59)
    assert allowance_months_close_due(now=before_sydney) == 0
    sydney_new_year = at("Australia/Sydney", 2027, 1, 1, 0, 0)
    assert allowance_months_close_due(now=sydney_new_year) == 1
    assert (closed(sydney), closed(london), closed(acme)) == (True, False, False)
    london_new_year = at("Europe/London", 2027, 1, 1, 0, 0)
    assert allowance_months_close_due(now=london_new_year) == 1
    assert allowance_months_close_due(now=ny(2027, 1, 1, 0, 0)) == 1
    assert (closed(sydney), closed(london), closed(acme)) == (True, True, True)
    # Each chain goes on with January, open until its own end.
    assert AllowanceMonth.objects.filter(month=dt.date(2027, 1, 1), closed_at=None).count() == 3
    assert allowance_months_close_due(now=ny(2027, 1, 1, 0, 5)) == 0


def test_the_worker_closes_with_the_final_figures_once(ticket, agent, acme):
    time_log(ticket=ticket, agent=agent, minutes=30, kind=EntryKind.ADJUSTMENT, now=MID_DECEMBER)
    new_year = ny(2027, 1, 1, 0, 1)
    assert allowance_months_close_due(now=new_year) == 1
    assert allowance_months_close_due(now=new_year) == 0
    december = allowance_balance(client=acme, month=DECEMBER)
    assert (december.closed, december.used_minutes, december.remaining_minutes) == (True, 30, 0)


def test_a_month_claimed_by_another_worker_is_left_alone(acme):
    from operant.allowance.jobs import allowance_month_claim_and_close
    from operant.allowance.rows import month_row_ensure

    row = month_row_ensure(client=acme, month=NOVEMBER)
    due = row.close_due_at
    AllowanceMonth.objects.filter(pk=row.pk).update(close_due_at=None)  # the other one won
    assert not allowance_month_claim_and_close(pk=row.pk, due_at=due, now=MID_DECEMBER)
    assert AllowanceMonth.objects.get(pk=row.pk).closed_at is None


def test_a_closed_month_keeps_its_figures_when_an_entry_is_back_dated_into_it(ticket, agent, acme):
    allowance_months_close_due(now=ny(2026, 11, 20, 9, 0))
    allowance_months_close_due(now=ny(2026, 12, 1, 0, 0))  # November closes at midnight
    with pytest.raises(AllowanceError, match="November 2026 is closed"):
        time_log(
            ticket=ticket, agent=agent, minutes=5, kind=EntryKind.ADJUSTMENT,
            work_date=dt.date(2026, 11, 30), now=ny(2026, 12, 1, 0, 30),
        )  # fmt: skip
