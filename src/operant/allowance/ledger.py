"""The monthly allowance ledger (clause 01): what each client may use, has used, and has left.

Usage is derived, never counted: a month's used minutes are the sum of its live (not deleted)
adjustment entries, read fresh on every question. The ``AllowanceMonth`` row only contributes
what a sum cannot know: whether the month is closed, and then its frozen figures.

Carry-over (policy ``carry_over = true``): a month's allowance grows by what the month before
left unused of *its own* minutes (the policy's ``minutes_per_month`` less that month's usage,
never below zero). It is one month deep: minutes carried into a month are used last and never
carried again, so a quiet quarter cannot pile up hours. A client's first month carries nothing.
With ``carry_over = false`` every month starts from the policy's minutes alone.

While a month is open its allowance follows the policy file in force; when it closes, its
figures are written to its row and stay as they were printed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import FilteredRelation, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from operant.accounts.models import Client
from operant.allowance.models import AllowanceMonth, EntryKind, TimeEntry
from operant.allowance.months import add_months, month_begins_at, month_containing, months_back
from operant.policy.loader import current_policy

# Where clients listed by id go into IN (...) one parameter each, a query takes at most this many
# (SQLite allows 32,766 parameters, PostgreSQL 65,535); beyond it we ask in several queries.
IDS_PER_QUERY = 30_000


class Balance(NamedTuple):
    """One client's month: ``allowance_minutes`` includes ``carried_minutes``.

    A named tuple rather than a dataclass: ``allowance_balances`` builds ten thousand at a
    time, and a tuple is several times cheaper to make than a frozen dataclass.
    """

    allowance_minutes: int
    used_minutes: int
    remaining_minutes: int
    month: dt.date
    closed: bool
    carried_minutes: int = 0

    @property
    def used_percent(self) -> int:
        """Whole percent used, for gauges; 100 when there is no allowance at all."""
        if self.allowance_minutes <= 0:
            return 100 if self.used_minutes else 0
        return self.used_minutes * 100 // self.allowance_minutes

    @property
    def over_minutes(self) -> int:
        """Minutes used beyond the allowance (only possible when the policy lowered it)."""
        return max(self.used_minutes - self.allowance_minutes, 0)

    def as_dict(self) -> dict[str, Any]:
        """The CLI's and the API's shape."""
        return {
            "month": f"{self.month:%Y-%m}",
            "allowance_minutes": self.allowance_minutes,
            "used_minutes": self.used_minutes,
            "remaining_minutes": self.remaining_minutes,
            "carried_minutes": self.carried_minutes,
            "closed": self.closed,
        }


# A month's ledger row as the queries read it: (closed_at, allowance_minutes, carried_minutes,
# final_used_minutes), all None when the month has no row. Only whether closed_at is set matters.
Row = tuple[Any, Any, Any, Any]
NO_ROW: Row = (None, None, None, None)
_ROW_FIELDS = ("closed_at", "allowance_minutes", "carried_minutes", "final_used_minutes")


def month_of(*, client: Client, when: dt.datetime | dt.date) -> dt.date:
    """The client's month (its first day) of an instant, or of a date on their calendar."""
    return month_containing(when, client.zone)


def _balance(
    *, month: dt.date, base: int, used: int, row: Row, before: tuple[int, Row] | None
) -> Balance:
    """The figures of ``month``: ``base`` is the policy's minutes, ``used`` the month's usage,
    ``row`` its ledger row, ``before`` the previous month's usage and row when the month
    takes a carry-over (None: policy off, or the client's first month)."""
    closed_at, frozen_allowance, frozen_carried, frozen_used = row
    if closed_at is not None:
        allowance, final = frozen_allowance or 0, frozen_used or 0
        return Balance(
            allowance, final, max(allowance - final, 0), month, True, frozen_carried or 0
        )
    carried = 0
    if before is not None:
        used_before, (was_closed, its_allowance, its_carried, its_used) = before
        if was_closed is not None:
            # Its own minutes as frozen (a later policy change does not rewrite them).
            carried = max((its_allowance or 0) - (its_carried or 0) - (its_used or 0), 0)
        else:
            carried = max(base - used_before, 0)
    allowance = base + carried
    return Balance(allowance, used, max(allowance - used, 0), month, False, carried)


def _used(month: dt.date) -> Coalesce:
    """A client's adjustment minutes of ``month``: summed through the partial usage index."""
    usage = (
        TimeEntry.objects.filter(
            client=OuterRef("pk"),
            month=month,
            kind=EntryKind.ADJUSTMENT,
            deleted_at__isnull=True,
        )
        .order_by()
        .values("client")
        .annotate(total=Sum("minutes"))
        .values("total")
    )
    return Coalesce(Subquery(usage), 0)


def _facts_query(clients: QuerySet[Client], month: dt.date, carry_over: bool) -> QuerySet:
    """One query: per client a tuple (pk, used, *row) for ``month``, and with carry-over
    (used_before, *row_before, timezone, created_at) after it; a row is ``Row``'s columns.

    Each usage is a correlated subquery (an index range per client) rather than a join grouped
    over clients: measured on 10,000 clients it runs as fast as the bare GROUP BY over the
    entries on SQLite and within 2x of it on PostgreSQL, where the grouped join was 3-8x
    slower. The ledger rows join at most one row per client and month (unique constraint).
    """
    relations = {
        "this_row": FilteredRelation("allowance_months", condition=Q(allowance_months__month=month))
    }
    annotations: dict[str, Any] = {"used": _used(month)}
    fields = ["pk", "used", *(f"this_row__{name}" for name in _ROW_FIELDS)]
    if carry_over:
        before = add_months(month, -1)
        relations["prev_row"] = FilteredRelation(
            "allowance_months", condition=Q(allowance_months__month=before)
        )
        annotations["used_before"] = _used(before)
        fields += ["used_before", *(f"prev_row__{name}" for name in _ROW_FIELDS), "timezone"]
        fields.append("created_at")
    return clients.order_by().annotate(**relations, **annotations).values_list(*fields)


def _by_ids(ids: list[int]) -> QuerySet[Client]:
    """The clients with these ids, the ids passed as ONE parameter where the database can
    unpack a list (PostgreSQL arrays, SQLite JSON): ten thousand ``IN (%s, ...)`` parameters
    cost more to send and plan than the query itself takes to run."""
    vendor = connection.vendor
    if vendor == "postgresql":
        return Client.objects.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", (ids,)))
    if vendor == "sqlite":
        return Client.objects.filter(
            pk__in=RawSQL("SELECT value FROM json_each(%s)", (json.dumps(ids),))
        )
    return Client.objects.filter(pk__in=ids)


def _client_sets(clients: Iterable[Client] | QuerySet[Client]) -> list[QuerySet[Client]]:
    """The clients as querysets to annotate: a queryset as it is (unless sliced), a list by
    id (in batches only on databases that take the ids one parameter each)."""
    if isinstance(clients, QuerySet):
        if clients.query.is_sliced:
            return [Client.objects.filter(pk__in=clients.values("pk"))]
        return [clients]
    ids = [client.pk for client in clients]
    if connection.vendor in ("postgresql", "sqlite"):
        return [_by_ids(ids)]
    return [
        Client.objects.filter(pk__in=ids[start : start + IDS_PER_QUERY])
        for start in range(0, len(ids), IDS_PER_QUERY)
    ]


def allowance_balances(
    *, clients: Iterable[Client] | QuerySet[Client], month: dt.date
) -> dict[int, Balance]:
    """Every client's balance for ``month``, by client id, in one query.

    ``clients`` is a queryset (``Client.objects.all()``) or a list of clients; either way one
    query answers for all of them on PostgreSQL and SQLite.
    """
    month = month.replace(day=1)
    terms = current_policy().allowance
    base = terms.minutes_per_month
    # Carry-over skips a client's first month: it applies when the client existed before the
    # month began on their calendar. That instant depends only on the zone: computed once each.
    starts: dict[str, dt.datetime] = {}
    result: dict[int, Balance] = {}
    for batch in _client_sets(clients):
        for row in _facts_query(batch, month, terms.carry_over):
            before = None
            if terms.carry_over:
                zone, created_at = row[11], row[12]
                if zone not in starts:
                    starts[zone] = month_begins_at(month, ZoneInfo(zone))
                if created_at < starts[zone]:
                    before = (row[6] or 0, row[7:11])
            result[row[0]] = _balance(
                month=month, base=base, used=row[1] or 0, row=row[2:6], before=before
            )
    return result


def allowance_balance(*, client: Client, month: dt.date) -> Balance:
    """One client's balance for ``month`` (any day of it will do)."""
    return allowance_balances(clients=[client], month=month)[client.pk]


def _client_facts(client: Client, months: list[dt.date]) -> dict[dt.date, tuple[int, Row]]:
    """Each of ``months``' usage and ledger row for one client: two queries whatever the span."""
    used = dict(
        TimeEntry.objects.filter(
            client=client,
            month__in=months,
            kind=EntryKind.ADJUSTMENT,
            deleted_at__isnull=True,
        )
        .order_by()
        .values("month")
        .annotate(total=Sum("minutes"))
        .values_list("month", "total")
    )
    rows = {
        found[0]: found[1:]
        for found in AllowanceMonth.objects.filter(client=client, month__in=months).values_list(
            "month", *_ROW_FIELDS
        )
    }
    return {month: (used.get(month) or 0, rows.get(month, NO_ROW)) for month in months}


def allowance_history(
    *, client: Client, months: int, now: dt.datetime | None = None
) -> list[Balance]:
    """The client's last ``months`` months, newest (the current one) first, never reaching
    back before the month the client joined (there was no allowance to show)."""
    if months <= 0:
        return []
    current = month_of(client=client, when=now or timezone.now())
    first_month = month_of(client=client, when=client.created_at)
    wanted = [month for month in months_back(current, months) if month >= first_month]
    wanted = wanted or [current]
    facts = _client_facts(client, [*wanted, add_months(wanted[-1], -1)])
    terms = current_policy().allowance
    history = []
    for month in wanted:
        used, row = facts[month]
        before = None
        if terms.carry_over and month > first_month:
            before = facts[add_months(month, -1)]
        history.append(
            _balance(month=month, base=terms.minutes_per_month, used=used, row=row, before=before)
        )
    return history
