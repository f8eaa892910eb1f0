"""Time entries: log, split, edit and remove them, charging the monthly allowance (clause 01).

Every path (the ticket page, the CLI, the API) calls these. The rules, in one place:

- Minutes are whole, from 1 to ``MAX_ENTRY_MINUTES``; one entry is one sitting of work.
- The work date is on the client's calendar: not in the future, and in the current or the
  previous month (older months are over and on a statement). A closed month takes nothing.
- ``quoted`` time needs an accepted quote of the same client; other kinds take no quote.
- Every entry needs a ticket filed under a client: the allowance is the client's.
- An ``adjustment`` that would take its month past the allowance is refused (``Overdraft``),
  never silently overdrawn; ``time_log_split`` logs the part that fits instead.
- Each charge locks its month's ledger row in the transaction that checks and inserts (see
  ``rows``), so two agents at the same moment cannot overdraw together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from django.db import transaction

from operant.allowance.closing import allowance_month_close
from operant.allowance.errors import EntryInvalid, EntryNotFound, MonthClosed, Overdraft
from operant.allowance.estimates import EstimateVerdict, adjustment_estimate_check
from operant.allowance.ledger import (
    Balance,
    allowance_balance,
    allowance_balances,
    allowance_history,
    month_of,
)
from operant.allowance.models import AllowanceMonth, EntryKind, TimeEntry, TimeEntryRevision
from operant.allowance.months import add_months, local_date, month_start
from operant.allowance.notices import allowance_notices_send
from operant.allowance.rows import month_row_lock
from operant.policy.loader import current_policy
from operant.policy.services import policy_in_force

# The ledger's questions and the month close are importable from here too, with the workflows.
__all__ = [
    "MAX_ENTRY_MINUTES",
    "Balance",
    "EstimateVerdict",
    "adjustment_estimate_check",
    "allowance_balance",
    "allowance_balances",
    "allowance_history",
    "allowance_month_close",
    "month_of",
    "quote_for_time",
    "register_quote_finder",
    "time_entry_delete",
    "time_entry_edit",
    "time_log",
    "time_log_split",
]

if TYPE_CHECKING:
    from operant.accounts.models import Client, User
    from operant.desk.models import Ticket
    from operant.policy.models import PolicyVersion

# Ten hours: more in one entry is a typo (600 typed for 60) or a day that deserves several.
MAX_ENTRY_MINUTES = 600


class QuoteForTime(Protocol):
    """What quoted time needs of its quote. ``operant.quotes.models.Quote`` is the one kind;
    the quotes app sits above this one, so the rule of which quote may take time is its own."""

    pk: Any

    @property
    def ref(self) -> str: ...

    def time_refusal(self, *, client_id: int) -> str | None:
        """Why time of ``client_id`` may not be logged under this quote, or None."""


# Quoted time names its quote by reference ("Q-12"). The quotes app, above this one, registers
# how to find a quote by reference when it is ready; the CLI and the API ask through here.
_quote_finder: Callable[[str], QuoteForTime] | None = None


def register_quote_finder(finder: Callable[[str], QuoteForTime]) -> None:
    """Called from the quotes app's ``AppConfig.ready``. ``finder`` raises ``LookupError``
    with a readable message for a reference that names no quote."""
    global _quote_finder
    _quote_finder = finder


def quote_for_time(ref: str) -> QuoteForTime:
    """The quote ``ref`` names, for quoted time; ``EntryInvalid`` says why there is none."""
    if _quote_finder is None:
        raise EntryInvalid("quoted time needs the quotes app, and it is not installed")
    try:
        return _quote_finder(ref)
    except LookupError as exc:
        raise EntryInvalid(str(exc)) from None


def _version() -> PolicyVersion:
    return policy_in_force().version


# -- checks ------------------------------------------------------------------------------------


def _check_minutes(minutes: Any) -> int:
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise EntryInvalid(f"minutes must be a whole number, got {minutes!r}")
    if not 1 <= minutes <= MAX_ENTRY_MINUTES:
        raise EntryInvalid(
            f"minutes must be from 1 to {MAX_ENTRY_MINUTES} (one sitting of work), got {minutes}"
        )
    return minutes


def _check_kind(kind: str) -> str:
    if kind not in EntryKind.values:
        raise EntryInvalid(f"unknown kind {kind!r}; expected one of {', '.join(EntryKind.values)}")
    return kind


def _client_of(ticket: Ticket) -> Client:
    if ticket.client_id is None:
        raise EntryInvalid(
            f"{ticket.ref} is not filed under a client: assign it to one before logging time"
        )
    return ticket.client


def _check_date(work_date: dt.date | None, client: Client, now: dt.datetime) -> dt.date:
    """The work date on the client's calendar: today if not given, never in the future, and in
    the current or the previous month."""
    today = local_date(now, client.zone)
    if work_date is None:
        return today
    if isinstance(work_date, dt.datetime):
        raise EntryInvalid("the work date is a date, not a date and time")
    if work_date > today:
        raise EntryInvalid(
            f"the work date {work_date:%Y-%m-%d} is in the future for {client.name} "
            f"(today is {today:%Y-%m-%d} in {client.timezone})"
        )
    earliest = add_months(month_start(today), -1)
    if work_date < earliest:
        raise MonthClosed(
            f"{work_date:%B %Y} is over and on a statement: time can be logged only from "
            f"{earliest:%d %B %Y} on"
        )
    return work_date


def _check_quote(kind: str, quote: QuoteForTime | None, client: Client) -> QuoteForTime | None:
    if kind != EntryKind.QUOTED:
        if quote is not None:
            raise EntryInvalid("only quoted time names a quote; choose the kind 'quoted'")
        return None
    if quote is None:
        raise EntryInvalid("quoted time needs the accepted quote it is done under")
    refusal = quote.time_refusal(client_id=client.pk)
    if refusal is not None:
        raise EntryInvalid(refusal)
    return quote


def _refuse_closed(row: AllowanceMonth, client: Client) -> None:
    if row.closed_at is not None:
        raise MonthClosed(
            f"{row.month:%B %Y} is closed for {client.name}: its figures are final and on the "
            "statement, so its time cannot change"
        )


# -- room in the month -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Room:
    """How many more adjustment minutes ``month`` can take, and why no more."""

    balance: Balance
    minutes: int
    # The next month, when carry-over ties it to this one and it is what limits the room.
    held_by: dt.date | None = None

    def refuse(self, requested: int, *, own: int = 0) -> Overdraft:
        return Overdraft(
            requested=requested,
            remaining=self.minutes + own,
            allowance=self.balance.allowance_minutes,
            month=self.balance.month,
            used_in=self.held_by,
        )


def _room(client: Client, month: dt.date, now: dt.datetime) -> _Room:
    """1. What the month itself has left.
    2. With carry-over, what this month leaves unused is part of the next month's allowance:
       when the next month has begun and already uses minutes carried into it, this month may
       take only as many more as the next month can give back (its remaining minutes).
    The rows involved must already be locked."""
    balance = allowance_balance(client=client, month=month)
    room = _Room(balance=balance, minutes=balance.remaining_minutes)
    if current_policy().allowance.carry_over:
        after = add_months(month, 1)
        if after <= month_of(client=client, when=now):
            following = allowance_balance(client=client, month=after)
            gives_back = following.remaining_minutes
            if not following.closed and gives_back < min(following.carried_minutes, room.minutes):
                room = _Room(balance=balance, minutes=gives_back, held_by=after)
    return room


def _lock_months(
    client: Client, months: set[dt.date], now: dt.datetime, version: PolicyVersion
) -> dict[dt.date, AllowanceMonth]:
    """Lock the rows of ``months`` and, with carry-over, of each following month that has
    begun; always in ascending order, so two transactions never wait on each other."""
    wanted = set(months)
    if current_policy().allowance.carry_over:
        current = month_of(client=client, when=now)
        wanted |= {add_months(m, 1) for m in months if add_months(m, 1) <= current}
    return {
        month: month_row_lock(client=client, month=month, version=version)
        for month in sorted(wanted)
    }


def _notify(
    client: Client,
    rows: dict[dt.date, AllowanceMonth],
    ticket: Ticket,
    now: dt.datetime,
) -> None:
    """Threshold notices for every locked month whose usage may have grown."""
    for month, row in rows.items():
        allowance_notices_send(
            client=client,
            row=row,
            balance=allowance_balance(client=client, month=month),
            ticket=ticket,
            now=now,
        )


# -- history -----------------------------------------------------------------------------------


def entry_snapshot(entry: TimeEntry) -> dict[str, Any]:
    """The editable fields as a revision records them."""
    return {
        "minutes": entry.minutes,
        "work_date": entry.work_date.isoformat(),
        "kind": entry.kind,
        "note": entry.note,
        "quote": entry.quote.ref if entry.quote_id else None,
    }


def _revision(
    entry: TimeEntry,
    action: str,
    *,
    actor: User | None,
    now: dt.datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    TimeEntryRevision.objects.create(
        entry=entry, action=action, at=now, actor=actor, before=before or {}, after=after or {}
    )


# -- logging -----------------------------------------------------------------------------------


def _log(
    *,
    ticket: Ticket,
    agent: User,
    minutes: int,
    kind: str,
    work_date: dt.date | None,
    note: str,
    quote: QuoteForTime | None,
    now: dt.datetime,
    split: bool,
) -> tuple[TimeEntry | None, int]:
    """1. Check the input. 2. Lock the month (and the next, with carry-over). 3. Refuse a
    closed month. 4. For an adjustment, charge what fits: all or refuse, or (``split``) the
    part that fits. 5. Insert the entry and its "created" revision. 6. Send threshold notices.
    Returns the entry (None when nothing fit) and the minutes left over."""
    if not getattr(agent, "is_agent", False):
        raise EntryInvalid("only Operant staff log time")
    minutes = _check_minutes(minutes)
    kind = _check_kind(kind)
    client = _client_of(ticket)
    day = _check_date(work_date, client, now)
    quote = _check_quote(kind, quote, client)
    month = month_start(day)
    version = _version()
    with transaction.atomic():
        rows = _lock_months(client, {month}, now, version)
        _refuse_closed(rows[month], client)
        charged = minutes
        if kind == EntryKind.ADJUSTMENT:
            room = _room(client, month, now)
            if minutes > room.minutes:
                if not split:
                    raise room.refuse(minutes)
                charged = room.minutes
        if charged <= 0:
            return None, minutes
        entry = TimeEntry.objects.create(
            ticket=ticket,
            client=client,
            agent=agent,
            kind=kind,
            minutes=charged,
            work_date=day,
            month=month,
            note=note.strip(),
            quote=quote,
            policy_version=version,
            created_at=now,
            updated_at=now,
        )
        _revision(entry, "created", actor=agent, now=now, after=entry_snapshot(entry))
        if kind == EntryKind.ADJUSTMENT:
            _notify(client, rows, ticket, now)
    return entry, minutes - charged


def time_log(
    *,
    ticket: Ticket,
    agent: User,
    minutes: int,
    kind: str,
    work_date: dt.date | None = None,
    note: str = "",
    quote: QuoteForTime | None = None,
    now: dt.datetime,
) -> TimeEntry:
    """Log time on a ticket; an adjustment past the month's allowance raises ``Overdraft``."""
    entry, _ = _log(
        ticket=ticket,
        agent=agent,
        minutes=minutes,
        kind=kind,
        work_date=work_date,
        note=note,
        quote=quote,
        now=now,
        split=False,
    )
    assert entry is not None  # without split, too little room raises instead
    return entry


def time_log_split(
    *,
    ticket: Ticket,
    agent: User,
    minutes: int,
    work_date: dt.date | None = None,
    note: str = "",
    now: dt.datetime,
) -> tuple[TimeEntry | None, int]:
    """Log the part of an adjustment that fits the allowance; return the entry (None when
    nothing fits) and the overflow minutes, which the agent takes to a quote."""
    return _log(
        ticket=ticket,
        agent=agent,
        minutes=minutes,
        kind=EntryKind.ADJUSTMENT,
        work_date=work_date,
        note=note,
        quote=None,
        now=now,
        split=True,
    )


# -- editing and removing ----------------------------------------------------------------------


def _live_entry(entry: TimeEntry) -> TimeEntry:
    locked = (
        TimeEntry.objects.select_for_update(of=("self",))
        .select_related("client", "ticket", "quote")
        .filter(pk=entry.pk, deleted_at__isnull=True)
        .first()
    )
    if locked is None:
        raise EntryNotFound(f"time entry {entry.pk} does not exist or was removed")
    return locked


def _adjustment_minutes(kind: str, minutes: int) -> int:
    return minutes if kind == EntryKind.ADJUSTMENT else 0


def time_entry_edit(
    *,
    entry: TimeEntry,
    actor: User,
    now: dt.datetime,
    minutes: int | None = None,
    work_date: dt.date | None = None,
    note: str | None = None,
    kind: str | None = None,
    quote: QuoteForTime | None = None,
) -> TimeEntry:
    """Change an entry's minutes, date, note or kind (None keeps a field; ``quote`` defaults
    to the entry's own while it stays quoted). Returns the entry as saved.

    1. Lock the entry and check the new values as ``time_log`` would.
    2. Lock the old and the new month; both must be open (a moved entry leaves one month and
       joins another, both recomputed from the entries).
    3. An edit that adds adjustment minutes to a month must fit its allowance.
    4. Save, and record the changed fields before and after in a revision.
    """
    if not getattr(actor, "is_agent", False):
        raise EntryInvalid("only Operant staff edit time")
    version = _version()
    with transaction.atomic():
        entry = _live_entry(entry)
        client = entry.client
        new_minutes = entry.minutes if minutes is None else _check_minutes(minutes)
        new_kind = entry.kind if kind is None else _check_kind(kind)
        new_date = entry.work_date if work_date is None else _check_date(work_date, client, now)
        new_note = entry.note if note is None else note.strip()
        new_quote = _check_quote(
            new_kind, (quote or entry.quote) if new_kind == EntryKind.QUOTED else None, client
        )
        new_month = month_start(new_date)
        before = entry_snapshot(entry)
        rows = _lock_months(client, {entry.month, new_month}, now, version)
        _refuse_closed(rows[entry.month], client)
        _refuse_closed(rows[new_month], client)
        # Minutes the entry already charges to the new month count as room of its own.
        own = _adjustment_minutes(entry.kind, entry.minutes) if entry.month == new_month else 0
        added = _adjustment_minutes(new_kind, new_minutes) - own
        if added > 0:
            room = _room(client, new_month, now)
            if added > room.minutes:
                raise room.refuse(new_minutes, own=own)
        entry.minutes, entry.kind, entry.note = new_minutes, new_kind, new_note
        entry.work_date, entry.month, entry.quote = new_date, new_month, new_quote
        after = entry_snapshot(entry)
        changed = [field for field in after if after[field] != before[field]]
        if not changed:
            return entry
        entry.updated_at = now
        entry.save()
        _revision(
            entry,
            "edited",
            actor=actor,
            now=now,
            before={field: before[field] for field in changed},
            after={field: after[field] for field in changed},
        )
        if added > 0:
            _notify(client, {new_month: rows[new_month]}, entry.ticket, now)
    return entry


def time_entry_delete(*, entry: TimeEntry, actor: User, now: dt.datetime) -> TimeEntry:
    """Remove an entry: it stops counting and keeps its history (a "deleted" revision)."""
    if not getattr(actor, "is_agent", False):
        raise EntryInvalid("only Operant staff remove time")
    version = _version()
    with transaction.atomic():
        entry = _live_entry(entry)
        rows = _lock_months(entry.client, {entry.month}, now, version)
        _refuse_closed(rows[entry.month], entry.client)
        entry.deleted_at = now
        entry.updated_at = now
        entry.save(update_fields=["deleted_at", "updated_at"])
        _revision(entry, "deleted", actor=actor, now=now, before=entry_snapshot(entry))
    return entry
