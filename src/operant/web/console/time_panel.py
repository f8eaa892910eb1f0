"""What the ticket page's time panel and the client page's allowance block show.

Read lazily: the ticket page's partial updates never render the panel and so never query for
it. The views that change time are in ``time_entries``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.db.models import Prefetch
from django.urls import reverse

from operant.accounts.models import Client
from operant.allowance.errors import Overdraft
from operant.allowance.ledger import Balance, allowance_balance, allowance_history, month_of
from operant.allowance.models import EntryKind, TimeEntry, TimeEntryRevision
from operant.allowance.months import local_date
from operant.allowance.services import MAX_ENTRY_MINUTES
from operant.desk.models import Ticket
from operant.quotes.models import Quote, QuoteState

HISTORY_MONTHS = 6
PANEL = "web/console/time/_panel.html"


def quote_new_url(ticket: Ticket, minutes: int) -> str:
    """The new-quote page, prefilled with the ticket and the minutes beyond the allowance."""
    query = urlencode({"ticket": ticket.ref, "minutes": minutes})
    return f"{reverse('console:quote_new')}?{query}"


# -- what the panel shows -----------------------------------------------------------------------


@dataclass(frozen=True)
class Split:
    """The outcome of "log what fits, quote the rest"."""

    logged: int
    overflow: int
    quote_url: str | None


# The fields of a revision in the order people read an entry (a JSON column may reorder keys).
FIELD_ORDER = ("minutes", "work_date", "kind", "note", "quote")


def _changes(revision: TimeEntryRevision) -> list[tuple[str, Any, Any]]:
    """(field, before, after) of an edit, in ``FIELD_ORDER``."""
    if revision.action != "edited":
        return []
    before, after = revision.before or {}, revision.after or {}
    return [(f, before.get(f), after.get(f)) for f in FIELD_ORDER if f in before or f in after]


class TimePanel:
    """The time panel's data, read only when the template asks (the ticket page's partial
    updates never render this panel and so never query for it)."""

    def __init__(
        self,
        ticket: Ticket,
        *,
        now: dt.datetime,
        error: str = "",
        overdraft: Overdraft | None = None,
        attempt: dict[str, Any] | None = None,
        split: Split | None = None,
        notice: str = "",
    ) -> None:
        self.ticket = ticket
        self.now = now
        self.error = error
        self.overdraft = overdraft
        self.attempt = attempt or {}  # the refused input, offered again
        self.split = split
        self.notice = notice
        self.kinds = EntryKind.choices
        self.max_minutes = MAX_ENTRY_MINUTES

    @property
    def has_client(self) -> bool:
        return self.ticket.client_id is not None

    @cached_property
    def today(self) -> dt.date | None:
        return local_date(self.now, self.ticket.client.zone) if self.has_client else None

    @cached_property
    def entries(self) -> list[TimeEntry]:
        """Every entry of the ticket, removed ones too (struck through, for the record)."""
        revisions = TimeEntryRevision.objects.select_related("actor").order_by("at", "pk")
        entries = list(
            TimeEntry.objects.filter(ticket=self.ticket)
            .select_related("agent", "quote")
            .prefetch_related(Prefetch("revisions", queryset=revisions))
            .order_by("-work_date", "-pk")
        )
        for entry in entries:
            for revision in entry.revisions.all():
                revision.changes = _changes(revision)
        return entries

    @cached_property
    def totals(self) -> list[tuple[str, str, int]]:
        """(kind, label, minutes) of the live entries, every kind shown, and the sum."""
        sums = dict.fromkeys(EntryKind.values, 0)
        for entry in self.entries:
            if entry.deleted_at is None:
                sums[entry.kind] += entry.minutes
        return [(kind, EntryKind(kind).label, sums[kind]) for kind in EntryKind.values]

    @property
    def total_minutes(self) -> int:
        return sum(minutes for _, _, minutes in self.totals)

    @cached_property
    def balance(self) -> Balance | None:
        if not self.has_client:
            return None
        client = self.ticket.client
        return allowance_balance(client=client, month=month_of(client=client, when=self.now))

    @cached_property
    def quotes(self) -> list[Quote]:
        """The client's accepted quotes, for quoted time."""
        if not self.has_client:
            return []
        return list(
            Quote.objects.filter(client_id=self.ticket.client_id, state=QuoteState.ACCEPTED)
            .only("pk", "title")
            .order_by("-pk")
        )

    @property
    def overflow_quote_url(self) -> str | None:
        """The new-quote link for an overdraft that nothing of can be logged."""
        if self.overdraft is None:
            return None
        return quote_new_url(self.ticket, self.overdraft.overflow)


class AllowanceBlock:
    """The client page's allowance: this month's gauge and the last months."""

    def __init__(self, client: Client, *, now: dt.datetime) -> None:
        self.client = client
        self.now = now

    @cached_property
    def history(self) -> list[Balance]:
        return allowance_history(client=self.client, months=HISTORY_MONTHS, now=self.now)

    @property
    def current(self) -> Balance:
        return self.history[0]
