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

from django.db.models import FilteredRelation, Max, Q, QuerySet, Sum
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


def _facts_query(clients: QuerySet[Client], month: dt.date, carry_over: bool) -> QuerySet:
    """One aggregate over the clients: each client's usage of ``month`` (and of the month
    before, for carry-over) and both months' ledger rows, joined in, one row per client.

    The entries are joined on their month, kind and live-ness (FilteredRelation puts those in
    the JOIN's ON clause), so the join reads only the months asked for through the partial
    usage index; the ledger rows join at most one row per month and multiply nothing.
    """
    before = add_months(month, -1)
    months = [month, before] if carry_over else [month]
    live = Q(
        time_entries__month__in=months,
        time_entries__kind=EntryKind.ADJUSTMENT,
        time_entries__deleted_at__isnull=True,
    )
    annotations: dict[str, Any] = {
        "used": Coalesce(Sum("live__minutes", filter=Q(live__month=month)), 0),
        "closed_at": Max("this_row__closed_at"),
        "frozen_allowance": Max("this_row__allowance_minutes"),
        "frozen_carried": Max("this_row__carried_minutes"),
        "frozen_used": Max("this_row__final_used_minutes"),
    }
    relations: dict[str, FilteredRelation] = {
        "live": FilteredRelation("time_entries", condition=live),
        "this_row": FilteredRelation(
            "allowance_months", condition=Q(allowance_months__month=month)
        ),
    }
    if carry_over:
        relations["prev_row"] = FilteredRelation(
            "allowance_months", condition=Q(allowance_months__month=before)
        )
        annotations |= {
            "used_before": Coalesce(Sum("live__minutes", filter=Q(live__month=before)), 0),
            "prev_closed_at": Max("prev_row__closed_at"),
            "prev_allowance": Max("prev_row__allowance_minutes"),
            "prev_carried": Max("prev_row__carried_minutes"),
            "prev_used": Max("prev_row__final_used_minutes"),
        }
    return (
        clients.annotate(**relations)
        .order_by()
        .values("pk", "timezone", "created_at")
        .annotate(**annotations)
    )


# The annotation names of one month's facts in a ``_facts_query`` row.
_THIS = ("used", "closed_at", "frozen_allowance", "frozen_carried", "frozen_used")
_BEFORE = ("used_before", "prev_closed_at", "prev_allowance", "prev_carried", "prev_used")


def _from_row(row: dict[str, Any], keys: tuple[str, ...]) -> _Facts:
    used, closed_at, allowance, carried, final = (row.get(key) for key in keys)
    return _Facts(
        used=used or 0,
        closed=closed_at is not None,
        frozen_allowance=allowance,
        frozen_carried=carried,
        frozen_used=final,
    )


def allowance_balances(
    *, clients: Iterable[Client] | QuerySet[Client], month: dt.date
) -> dict[int, Balance]:
    """Every client's balance for ``month``, by client id, in one aggregate query.

    Pass a queryset (``Client.objects.all()``) for any number of clients in one query; a list
    of clients is asked by id, in one query up to ``IDS_PER_QUERY`` clients.
    """
    month = month.replace(day=1)
    terms = current_policy().allowance
    if isinstance(clients, QuerySet):
        batches: list[QuerySet[Client]] = [Client.objects.filter(pk__in=clients.values("pk"))]
    else:
        ids = [client.pk for client in clients]
        batches = [
            Client.objects.filter(pk__in=ids[start : start + IDS_PER_QUERY])
            for start in range(0, len(ids), IDS_PER_QUERY)
        ]
    result: dict[int, Balance] = {}
    for batch in batches:
        for row in _facts_query(batch, month, terms.carry_over):
            result[row["pk"]] = _balance(
                month=month,
                this=_from_row(row, _THIS),
                before=_from_row(row, _BEFORE),
                terms=terms,
                first_month=month_containing(row["created_at"], ZoneInfo(row["timezone"])),
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
