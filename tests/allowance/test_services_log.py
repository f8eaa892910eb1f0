"""Logging time: what is accepted, what is refused and why, and overdraft with its split."""

from __future__ import annotations

import datetime as dt

import pytest

from operant.allowance.errors import AllowanceError, EntryInvalid, MonthClosed, Overdraft
from operant.allowance.ledger import allowance_balance
from operant.allowance.models import EntryKind, TimeEntry
from operant.allowance.services import (
    allowance_month_close,
    time_log,
    time_log_split,
)
from tests.allowance.conftest import DECEMBER, MID_DECEMBER, NOVEMBER, at, ny

pytestmark = pytest.mark.django_db


def log(ticket, agent, minutes, *, kind=EntryKind.ADJUSTMENT, day=None, now=MID_DECEMBER, **kw):
    return time_log(
        ticket=ticket, agent=agent, minutes=minutes, kind=kind, work_date=day, now=now, **kw
    )


def test_an_entry_records_client_month_policy_and_a_created_revision(ticket, agent):
    entry = log(ticket, agent, 20, note="  fixed the greeting  ")
    assert entry.client == ticket.client
    assert entry.work_date == dt.date(2026, 12, 16)  # today, in New York
    assert entry.month == DECEMBER
    assert entry.note == "fixed the greeting"
    assert entry.policy_version is not None
    (revision,) = entry.revisions.all()
    assert revision.action == "created"
    assert revision.actor == agent
    assert revision.after == {
        "minutes": 20,
        "work_date": "2026-12-16",
        "kind": "adjustment",
        "note": "fixed the greeting",
        "quote": None,
    }


@pytest.mark.parametrize("minutes", [0, -5, 601, 10_000])
def test_absurd_or_negative_minutes_are_refused(ticket, agent, minutes):
    with pytest.raises(EntryInvalid, match="from 1 to 600"):
        log(ticket, agent, minutes, kind=EntryKind.UNCHARGED)
    assert not TimeEntry.objects.exists()


@pytest.mark.parametrize("minutes", ["20", 20.5, True, None])
def test_minutes_must_be_a_whole_number(ticket, agent, minutes):
    with pytest.raises(EntryInvalid, match="whole number"):
        log(ticket, agent, minutes, kind=EntryKind.UNCHARGED)


def test_an_unknown_kind_is_refused(ticket, agent):
    with pytest.raises(EntryInvalid, match="unknown kind 'billable'"):
        log(ticket, agent, 5, kind="billable")


def test_a_work_date_in_the_clients_future_is_refused(ticket, agent):
    with pytest.raises(EntryInvalid, match="2026-12-17 is in the future"):
        log(ticket, agent, 5, day=dt.date(2026, 12, 17))


def test_the_future_is_judged_on_the_clients_calendar(make_client, ticket_for, agent):
    """At 20:00 on 16 December in New York it is already the 17th in Sydney."""
    sydney = make_client("Harbour Cafe", "Australia/Sydney", "ops@harbour.example")
    now = ny(2026, 12, 16, 20, 0)
    entry = log(ticket_for(sydney), agent, 5, day=dt.date(2026, 12, 17), now=now)
    assert entry.work_date == dt.date(2026, 12, 17)
    assert log(ticket_for(sydney), agent, 5, now=now).work_date == dt.date(2026, 12, 17)


def test_a_ticket_without_a_client_takes_no_time(ticket_for, agent):
    stray = ticket_for(None)
    with pytest.raises(EntryInvalid, match="not filed under a client"):
        log(stray, agent, 5)


def test_only_staff_log_time(ticket, alice):
    with pytest.raises(EntryInvalid, match="only Operant staff"):
        log(ticket, alice, 5)


def test_quoted_time_needs_a_quote(ticket, agent):
    with pytest.raises(EntryInvalid, match="needs the accepted quote"):
        log(ticket, agent, 60, kind=EntryKind.QUOTED)


@pytest.mark.parametrize("state", ["draft", "sent", "declined", "expired"])
def test_quoted_time_needs_an_accepted_quote(ticket, agent, make_quote, state):
    quote = make_quote(ticket.client, state=state)
    with pytest.raises(EntryInvalid, match=f"{quote.ref} is {state}, not accepted"):
        log(ticket, agent, 60, kind=EntryKind.QUOTED, quote=quote)


def test_quoted_time_needs_a_quote_of_the_same_client(ticket, agent, make_quote, cobalt):
    quote = make_quote(cobalt)
    with pytest.raises(EntryInvalid, match="quote for another client"):
        log(ticket, agent, 60, kind=EntryKind.QUOTED, quote=quote)


def test_quoted_time_under_an_accepted_quote_does_not_touch_the_allowance(
    ticket, agent, make_quote
):
    quote = make_quote(ticket.client)
    entry = log(ticket, agent, 240, kind=EntryKind.QUOTED, quote=quote)
    assert entry.quote == quote
    assert allowance_balance(client=ticket.client, month=DECEMBER).remaining_minutes == 30


def test_other_kinds_take_no_quote(ticket, agent, make_quote):
    with pytest.raises(EntryInvalid, match="only quoted time names a quote"):
        log(ticket, agent, 5, quote=make_quote(ticket.client))


def test_an_entry_back_dated_into_the_previous_month_counts_there(ticket, agent):
    """1 December, 00:30 in New York: yesterday's work belongs to November."""
    now = ny(2026, 12, 1, 0, 30)
    entry = log(ticket, agent, 25, day=dt.date(2026, 11, 30), now=now)
    assert entry.month == NOVEMBER
    assert allowance_balance(client=ticket.client, month=NOVEMBER).remaining_minutes == 5
    assert allowance_balance(client=ticket.client, month=DECEMBER).remaining_minutes == 30


def test_months_before_the_previous_one_are_over(ticket, agent):
    with pytest.raises(MonthClosed, match="time can be logged only from 01 November 2026 on"):
        log(ticket, agent, 5, day=dt.date(2026, 10, 31))


def test_a_closed_month_takes_no_time(ticket, agent):
    allowance_month_close(client=ticket.client, month=NOVEMBER, now=MID_DECEMBER)
    with pytest.raises(MonthClosed, match="November 2026 is closed for Acme Dental"):
        log(ticket, agent, 5, kind=EntryKind.UNCHARGED, day=dt.date(2026, 11, 30))
    assert not TimeEntry.objects.exists()


def test_an_overdraft_is_refused_with_what_remains_and_what_to_do(ticket, agent):
    log(ticket, agent, 20)
    with pytest.raises(Overdraft) as refused:
        log(ticket, agent, 25)
    message = str(refused.value)
    assert "only 10 of the 30 allowance minutes for December 2026 remain, not 25" in message
    assert "log the 10 minutes that fit and quote the other 15" in message
    assert "turn the request into a quote" in message
    assert (refused.value.remaining, refused.value.overflow) == (10, 15)
    assert TimeEntry.objects.count() == 1


def test_an_overdraft_of_a_used_up_month_says_so(ticket, agent):
    log(ticket, agent, 30)
    with pytest.raises(Overdraft, match="allowance for December 2026 is used up"):
        log(ticket, agent, 1)


def test_using_exactly_the_allowance_is_fine(ticket, agent):
    log(ticket, agent, 30)
    assert allowance_balance(client=ticket.client, month=DECEMBER).remaining_minutes == 0


def test_overdraft_errors_are_allowance_errors(ticket, agent):
    log(ticket, agent, 30)
    with pytest.raises(AllowanceError):
        log(ticket, agent, 5)


def test_split_logs_the_part_that_fits_and_returns_the_rest(ticket, agent):
    log(ticket, agent, 20)
    entry, overflow = time_log_split(
        ticket=ticket, agent=agent, minutes=25, note="copy changes", now=MID_DECEMBER
    )
    assert (entry.minutes, entry.kind, entry.note, overflow) == (
        10,
        "adjustment",
        "copy changes",
        15,
    )
    assert allowance_balance(client=ticket.client, month=DECEMBER).remaining_minutes == 0


def test_split_of_a_used_up_month_logs_nothing(ticket, agent):
    log(ticket, agent, 30)
    entry, overflow = time_log_split(ticket=ticket, agent=agent, minutes=25, now=MID_DECEMBER)
    assert (entry, overflow) == (None, 25)
    assert TimeEntry.objects.count() == 1


def test_split_within_the_allowance_logs_everything(ticket, agent):
    entry, overflow = time_log_split(ticket=ticket, agent=agent, minutes=12, now=MID_DECEMBER)
    assert (entry.minutes, overflow) == (12, 0)


def test_split_still_checks_the_input(ticket, agent):
    with pytest.raises(EntryInvalid):
        time_log_split(ticket=ticket, agent=agent, minutes=0, now=MID_DECEMBER)


@pytest.mark.parametrize(
    ("zone", "now", "month"),
    [
        # The same instant, 04:30 UTC on 1 December 2026, on four calendars.
        ("America/New_York", at("UTC", 2026, 12, 1, 4, 30), NOVEMBER),
        ("Europe/London", at("UTC", 2026, 12, 1, 4, 30), DECEMBER),
        ("Australia/Sydney", at("UTC", 2026, 11, 30, 12, 30), NOVEMBER),
        ("Australia/Sydney", at("UTC", 2026, 11, 30, 13, 30), DECEMBER),
        ("Asia/Kolkata", at("UTC", 2026, 11, 30, 18, 15), NOVEMBER),
        ("Asia/Kolkata", at("UTC", 2026, 11, 30, 18, 45), DECEMBER),
    ],
)
def test_todays_entry_lands_in_the_clients_month(make_client, ticket_for, agent, zone, now, month):
    client = make_client("Worldwide", zone, "ops@worldwide.example")
    entry = log(ticket_for(client, at=now - dt.timedelta(days=1)), agent, 10, now=now)
    assert entry.month == month
    assert allowance_balance(client=client, month=month).used_minutes == 10


def test_a_dst_week_changes_nothing_in_the_ledger(make_client, ticket_for, agent):
    """London's clocks go back on Sunday 25 October 2026: entries across that week are all
    October's, and 1 November starts at midnight GMT (00:00 UTC), not BST."""
    london = make_client("Thames Dental", "Europe/London", "ops@thames.example")
    ticket = ticket_for(london, at=at("Europe/London", 2026, 10, 20, 9, 0))
    for day in (23, 24, 25, 26):
        now = at("Europe/London", 2026, 10, day, 23, 30)
        assert log(ticket, agent, 3, now=now).month == dt.date(2026, 10, 1)
    last_minute = at("UTC", 2026, 10, 31, 23, 59)  # 23:59 GMT on the 31st
    assert log(ticket, agent, 3, now=last_minute).month == dt.date(2026, 10, 1)
    first_minute = at("UTC", 2026, 11, 1, 0, 0)
    assert log(ticket, agent, 3, now=first_minute).month == NOVEMBER
    assert allowance_balance(client=london, month=dt.date(2026, 10, 1)).used_minutes == 15
