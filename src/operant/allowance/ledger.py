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
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import FilteredRelation, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from operant.accounts.models import Client
from operant.allowance.models import AllowanceMonth, EntryKind, TimeEntry
from operant.allowance.months import add_months, month_containing, months_back
from operant.policy.loader import current_policy
from operant.policy.schema import Allowance

# Clients listed by id go into one IN (...) per query. SQLite takes up to 32,766 parameters and
# PostgreSQL 65,535; beyond this many ids we ask in several queries rather than fail.
IDS_PER_QUERY = 30_000


@dataclass(frozen=True)
class Balance:
    """One client's month: ``allowance_minutes`` includes ``carried_minutes``."""

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


@dataclass(frozen=True)
class _Facts:
    """What the database says of one client-month."""

    used: int = 0
    closed: bool = False
    frozen_allowance: int | None = None
    frozen_carried: int | None = None
    frozen_used: int | None = None


def month_of(*, client: Client, when: dt.datetime | dt.date) -> dt.date:
    """The client's month (its first day) of an instant, or of a date on their calendar."""
    return month_containing(when, client.zone)


def _balance(
    *, month: dt.date, this: _Facts, before: _Facts, terms: Allowance, first_month: dt.date
) -> Balance:
    """The figures of ``month`` from its facts and the month before's (for carry-over)."""
    if this.closed:
        allowance = this.frozen_allowance or 0
        used = this.frozen_used or 0
        return Balance(
            allowance_minutes=allowance,
            used_minutes=used,
            remaining_minutes=max(allowance - used, 0),
            month=month,
            closed=True,
            carried_minutes=this.frozen_carried or 0,
        )
    carried = 0
    if terms.carry_over and add_months(month, -1) >= first_month:
        if before.closed:
            base = (before.frozen_allowance or 0) - (before.frozen_carried or 0)
            used_before = before.frozen_used or 0
        else:
            base, used_before = terms.minutes_per_month, before.used
        carried = max(base - used_before, 0)
    allowance = terms.minutes_per_month + carried
    return Balance(
        allowance_minutes=allowance,
        used_minutes=this.used,
        remaining_minutes=max(allowance - this.used, 0),
        month=month,
        closed=False,
        carried_minutes=carried,
    )


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
    """One query: per client, the usage of ``month`` (and of the month before, for
    carry-over) and those months' ledger rows, as tuples in the order of ``_THIS``/``_BEFORE``.

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


# A ledger row's columns as the query reads them; closed_at only for whether it is set.
_ROW_FIELDS = ("closed_at", "allowance_minutes", "carried_minutes", "final_used_minutes")
_NO_FACTS = _Facts()


def _facts(used: int, closed_at: Any, allowance: Any, carried: Any, final: Any) -> _Facts:
    return _Facts(
        used=used or 0,
        closed=closed_at is not None,
        frozen_allowance=allowance,
        frozen_carried=carried,
        frozen_used=final,
    )


def _client_sets(clients: Iterable[Client] | QuerySet[Client]) -> list[QuerySet[Client]]:
    """The clients as querysets to annotate: a queryset as it is (unless sliced), a list by
    id, in as few queries as the databases' parameter limits allow."""
    if isinstance(clients, QuerySet):
        if clients.query.is_sliced:
            return [Client.objects.filter(pk__in=clients.values("pk"))]
        return [clients]
    ids = [client.pk for client in clients]
    return [
        Client.objects.filter(pk__in=ids[start : start + IDS_PER_QUERY])
        for start in range(0, len(ids), IDS_PER_QUERY)
    ]


def allowance_balances(
    *, clients: Iterable[Client] | QuerySet[Client], month: dt.date
) -> dict[int, Balance]:
    """Every client's balance for ``month``, by client id, in one query.

    Pass a queryset (``Client.objects.all()``) for any number of clients in one query; a list
    of clients is asked by id, in one query up to ``IDS_PER_QUERY`` clients.
    """
    month = month.replace(day=1)
    terms = current_policy().allowance
    result: dict[int, Balance] = {}
    for batch in _client_sets(clients):
        for row in _facts_query(batch, month, terms.carry_over):
            before, first_month = _NO_FACTS, dt.date.min
            if terms.carry_over:
                before = _facts(*row[6:11])
                first_month = month_containing(row[12], ZoneInfo(row[11]))
            result[row[0]] = _balance(
                month=month,
                this=_facts(*row[1:6]),
                before=before,
                terms=terms,
                first_month=first_month,
            )
    return result


def allowance_balance(*, client: Client, month: dt.date) -> Balance:
    """One client's balance for ``month`` (any day of it will do)."""
    return allowance_balances(clients=[client], month=month)[client.pk]


def _client_facts(client: Client, months: list[dt.date]) -> dict[dt.date, _Facts]:
    """The facts of each of ``months`` for one client: two queries whatever the span."""
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
    ledger = AllowanceMonth.objects.filter(client=client, month__in=months)
    rows = {row.month: row for row in ledger}
    facts: dict[dt.date, _Facts] = {}
    for month in months:
        row = rows.get(month)
        closed = row is not None and row.closed_at is not None
        facts[month] = _Facts(
            used=used.get(month) or 0,
            closed=closed,
            frozen_allowance=row.allowance_minutes if closed else None,
            frozen_carried=row.carried_minutes if closed else None,
            frozen_used=row.final_used_minutes if closed else None,
        )
    return facts


def allowance_history(
    *, client: Client, months: int, now: dt.datetime | None = None
) -> list[Balance]:
    """The client's last ``months`` months, newest (the current one) first."""
    if months <= 0:
        return []
    current = month_of(client=client, when=now or timezone.now())
    wanted = months_back(current, months)
    facts = _client_facts(client, [*wanted, add_months(wanted[-1], -1)])
    terms = current_policy().allowance
    first_month = month_of(client=client, when=client.created_at)
    return [
        _balance(
            month=month,
            this=facts[month],
            before=facts[add_months(month, -1)],
            terms=terms,
            first_month=first_month,
        )
        for month in wanted
    ]
