"""Editing and removing entries: history, month moves, and the allowance still holds."""

from __future__ import annotations

import datetime as dt

import pytest

from operant.allowance.errors import EntryInvalid, EntryNotFound, MonthClosed, Overdraft
from operant.allowance.ledger import allowance_balance
from operant.allowance.models import EntryKind, TimeEntry
from operant.allowance.services import (
    allowance_month_close,
    time_entry_delete,
    time_entry_edit,
    time_log,
)
from tests.allowance.conftest import DECEMBER, MID_DECEMBER, NOVEMBER, ny

pytestmark = pytest.mark.django_db
LATER = MID_DECEMBER + dt.timedelta(hours=2)


def log(ticket, agent, minutes, *, kind=EntryKind.ADJUSTMENT, day=None, **kw):
    return time_log(
        ticket=ticket, agent=agent, minutes=minutes, kind=kind, work_date=day, now=MID_DECEMBER,
        **kw,
    )  # fmt: skip


def test_an_edit_records_the_changed_fields_before_and_after(ticket, agent):
    entry = log(ticket, agent, 10, note="greeting")
    edited = time_entry_edit(
        entry=entry, actor=agent, minutes=15, note="greeting + footer", now=LATER
    )
    assert (edited.minutes, edited.note, edited.updated_at) == (15, "greeting + footer", LATER)
    revision = edited.revisions.get(action="edited")
    assert revision.before == {"minutes": 10, "note": "greeting"}
    assert revision.after == {"minutes": 15, "note": "greeting + footer"}
    assert (revision.actor, revision.at) == (agent, LATER)
    assert allowance_balance(client=ticket.client, month=DECEMBER).used_minutes == 15


def test_an_edit_that_changes_nothing_writes_no_revision(ticket, agent):
    entry = log(ticket, agent, 10, note="greeting")
    time_entry_edit(entry=entry, actor=agent, minutes=10, note=" greeting ", now=LATER)
    assert list(entry.revisions.values_list("action", flat=True)) == ["created"]


def test_moving_the_date_moves_the_minutes_to_the_right_month(ticket, agent):
    entry = log(ticket, agent, 20)
    moved = time_entry_edit(entry=entry, actor=agent, work_date=dt.date(2026, 11, 28), now=LATER)
    assert moved.month == NOVEMBER
    assert allowance_balance(client=ticket.client, month=DECEMBER).used_minutes == 0
    assert allowance_balance(client=ticket.client, month=NOVEMBER).used_minutes == 20
    revision = moved.revisions.get(action="edited")
    assert revision.before == {"work_date": "2026-12-16"}
    assert revision.after == {"work_date": "2026-11-28"}


def test_an_edit_that_would_overdraw_is_refused(ticket, agent):
    log(ticket, agent, 20)
    entry = log(ticket, agent, 5)
    with pytest.raises(Overdraft, match="only 10 of the 30 allowance minutes"):
        time_entry_edit(entry=entry, actor=agent, minutes=11, now=LATER)
    entry.refresh_from_db()
    assert entry.minutes == 5
    time_entry_edit(entry=entry, actor=agent, minutes=10, now=LATER)  # exactly what is left


def test_turning_support_time_into_an_adjustment_is_charged(ticket, agent):
    log(ticket, agent, 25)
    entry = log(ticket, agent, 10, kind=EntryKind.UNCHARGED)
    with pytest.raises(Overdraft):
        time_entry_edit(entry=entry, actor=agent, kind=EntryKind.ADJUSTMENT, now=LATER)
    time_entry_edit(entry=entry, actor=agent, kind=EntryKind.ADJUSTMENT, minutes=5, now=LATER)
    assert allowance_balance(client=ticket.client, month=DECEMBER).remaining_minutes == 0


def test_turning_an_adjustment_into_quoted_time_needs_an_accepted_quote(ticket, agent, make_quote):
    entry = log(ticket, agent, 25)
    with pytest.raises(EntryInvalid, match="needs the accepted quote"):
        time_entry_edit(entry=entry, actor=agent, kind=EntryKind.QUOTED, now=LATER)
    quote = make_quote(ticket.client)
    edited = time_entry_edit(
        entry=entry, actor=agent, kind=EntryKind.QUOTED, quote=quote, now=LATER
    )
    assert edited.quote == quote
    assert allowance_balance(client=ticket.client, month=DECEMBER).used_minutes == 0
    assert edited.revisions.get(action="edited").after == {"kind": "quoted", "quote": quote.ref}
    back = time_entry_edit(entry=edited, actor=agent, kind=EntryKind.UNCHARGED, now=LATER)
    assert back.quote is None


def test_edits_are_checked_like_new_entries(ticket, agent):
    entry = log(ticket, agent, 10)
    with pytest.raises(EntryInvalid, match="from 1 to 600"):
        time_entry_edit(entry=entry, actor=agent, minutes=-1, now=LATER)
    with pytest.raises(EntryInvalid, match="in the future"):
        time_entry_edit(entry=entry, actor=agent, work_date=dt.date(2026, 12, 25), now=LATER)


def test_entries_of_a_closed_month_cannot_change(ticket, agent):
    entry = log(ticket, agent, 10, day=dt.date(2026, 11, 30))
    allowance_month_close(client=ticket.client, month=NOVEMBER, now=MID_DECEMBER)
    with pytest.raises(MonthClosed):
        time_entry_edit(entry=entry, actor=agent, minutes=5, now=LATER)
    with pytest.raises(MonthClosed):
        time_entry_edit(entry=entry, actor=agent, work_date=dt.date(2026, 12, 1), now=LATER)
    with pytest.raises(MonthClosed):
        time_entry_delete(entry=entry, actor=agent, now=LATER)
    current = log(ticket, agent, 10)
    with pytest.raises(MonthClosed):  # nor can an entry move into one
        time_entry_edit(entry=current, actor=agent, work_date=dt.date(2026, 11, 30), now=LATER)


def test_removing_an_entry_keeps_it_with_its_history_and_stops_it_counting(ticket, agent):
    entry = log(ticket, agent, 30)
    removed = time_entry_delete(entry=entry, actor=agent, now=LATER)
    assert removed.deleted_at == LATER
    assert TimeEntry.objects.filter(pk=entry.pk).exists()
    revision = removed.revisions.get(action="deleted")
    assert revision.before["minutes"] == 30
    assert revision.actor == agent
    assert allowance_balance(client=ticket.client, month=DECEMBER).remaining_minutes == 30
    log(ticket, agent, 30)  # the minutes are free again


def test_a_removed_entry_cannot_be_edited_or_removed_again(ticket, agent):
    entry = log(ticket, agent, 10)
    time_entry_delete(entry=entry, actor=agent, now=LATER)
    with pytest.raises(EntryNotFound):
        time_entry_edit(entry=entry, actor=agent, minutes=5, now=LATER)
    with pytest.raises(EntryNotFound):
        time_entry_delete(entry=entry, actor=agent, now=LATER)


def test_only_staff_edit_or_remove(ticket, agent, alice):
    entry = log(ticket, agent, 10)
    with pytest.raises(EntryInvalid):
        time_entry_edit(entry=entry, actor=alice, minutes=5, now=LATER)
    with pytest.raises(EntryInvalid):
        time_entry_delete(entry=entry, actor=alice, now=LATER)


def test_with_carry_over_a_back_dated_entry_cannot_take_back_minutes_already_used(
    ticket, agent, policy_terms
):
    """November's 30 minutes are unused, so December has 60 and uses 50 of them. November may
    take only 10 more: 11 would leave December 19 carried minutes, 50 used of 49."""
    policy_terms(carry_over="true")
    now = ny(2026, 12, 2, 10, 0)
    time_log(ticket=ticket, agent=agent, minutes=50, kind="adjustment", now=now)
    with pytest.raises(Overdraft, match="only 10 more minutes can be charged to November 2026"):
        time_log(
            ticket=ticket, agent=agent, minutes=11, kind="adjustment",
            work_date=dt.date(2026, 11, 30), now=now,
        )  # fmt: skip
    time_log(
        ticket=ticket, agent=agent, minutes=10, kind="adjustment",
        work_date=dt.date(2026, 11, 30), now=now,
    )  # fmt: skip
    december = allowance_balance(client=ticket.client, month=DECEMBER)
    assert (december.allowance_minutes, december.used_minutes, december.remaining_minutes) == (
        50,
        50,
        0,
    )
