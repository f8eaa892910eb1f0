"""The figures of a client's month, computed once and frozen into the statement as JSON.

Every number is read from the services and tables that own it, for the month as the client's
calendar draws it (``month_begins_at`` .. ``month_ends_at`` in the client's zone). Money is
written as a decimal string so the JSON keeps it exact.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, Sum

from operant.allowance.models import EntryKind, TimeEntry
from operant.allowance.months import month_begins_at, month_ends_at
from operant.desk.clock import PAUSE_REASON_LABELS
from operant.desk.models import ClockPause, ClockState, RequestClass, Ticket, ticket_ref
from operant.policy.loader import current_policy
from operant.quotes.models import CENT, Quote, QuoteState, quote_ref

if TYPE_CHECKING:
    from operant.accounts.models import Client
    from operant.allowance.ledger import Balance

FIGURES_VERSION = 1


def _money(amount: Decimal | None) -> str:
    return str((amount or Decimal(0)).quantize(CENT))


def _totals(items: list[dict[str, Any]]) -> dict[str, str]:
    """Sum of ``total`` per currency: quotes may be priced in another currency than the
    retainer, and adding two currencies together would be a wrong number."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for item in items:
        sums[item["currency"]] += Decimal(item["total"])
    return {currency: _money(amount) for currency, amount in sorted(sums.items())}


def _entries(client: Client, month: dt.date) -> list[dict[str, Any]]:
    """Every live entry of the month (all kinds: the client sees quoted and uncharged work too;
    only ``adjustment`` minutes count against the allowance)."""
    rows = (
        TimeEntry.objects.filter(client=client, month=month, deleted_at__isnull=True)
        .order_by("work_date", "pk")
        .values_list("work_date", "minutes", "kind", "ticket_id", "ticket__subject")
    )
    return [
        {
            "date": work_date.isoformat(),
            "minutes": minutes,
            "kind": kind,
            "ticket": ticket_ref(ticket_id),
            "subject": subject,
        }
        for work_date, minutes, kind, ticket_id, subject in rows
    ]


def _allowance(balance: Balance, entries: list[dict[str, Any]]) -> dict[str, Any]:
    by_kind = dict.fromkeys(EntryKind.values, 0)
    for entry in entries:
        by_kind[entry["kind"]] += entry["minutes"]
    return {
        "allowance_minutes": balance.allowance_minutes,
        "carried_minutes": balance.carried_minutes,
        "used_minutes": balance.used_minutes,
        "remaining_minutes": balance.remaining_minutes,
        "closed": balance.closed,
        "minutes_by_kind": by_kind,
    }


def _tickets(client: Client, start: dt.datetime, end: dt.datetime) -> tuple[dict, dict]:
    """Tickets received in the month by class, and their first-response attainment.

    Attainment counts decided clocks only (met or breached): a clock still running or paused
    has no verdict yet, and counting it either way would misstate the month.
    """
    received = Ticket.objects.filter(client=client, received_at__gte=start, received_at__lt=end)
    counts = dict(
        received.order_by()
        .values("request_class")
        .annotate(n=Count("pk"))
        .values_list("request_class", "n")
    )
    by_class = [
        {"class": value, "label": str(label), "count": counts.get(value, 0)}
        for value, label in RequestClass.choices
    ]
    clocks = received.aggregate(
        met=Count("pk", filter=Q(clock_state=ClockState.MET)),
        breached=Count("pk", filter=Q(clock_state=ClockState.BREACHED)),
    )
    met, breached = clocks["met"], clocks["breached"]
    total = met + breached
    attainment = {
        "met": met,
        "breached": breached,
        "total": total,
        "percent": round(met * 100 / total, 1) if total else None,
        "excluded": _excluded(received),
    }
    return {"total": sum(counts.values()), "by_class": by_class}, attainment


def _excluded(received: Any) -> list[dict[str, Any]]:
    """The business time the month's tickets' clocks were paused, by reason (waiting on the
    client, a third-party outage): listed apart, so attainment is read knowing what it left
    out. Ended pauses only; one query whatever the number of tickets."""
    calendar_ = current_policy().business_calendar
    seconds: dict[str, int] = defaultdict(int)
    tickets: dict[str, set[int]] = defaultdict(set)
    pauses = ClockPause.objects.filter(ticket__in=received.values("pk"), ended_at__isnull=False)
    for reason, ticket_id, started, ended in pauses.values_list(
        "reason", "ticket_id", "started_at", "ended_at"
    ):
        seconds[reason] += max(int(calendar_.elapsed(started, ended).total_seconds()), 0)
        tickets[reason].add(ticket_id)
    return [
        {
            "reason": reason,
            "label": PAUSE_REASON_LABELS.get(reason, reason),
            "seconds": seconds[reason],
            "minutes": round(seconds[reason] / 60),
            "tickets": len(tickets[reason]),
        }
        for reason in sorted(seconds)
    ]


def _quote_rows(queryset: Any, stamp: str) -> list[dict[str, Any]]:
    # One query for all the month's quotes with their totals, rather than quote_total() per
    # quote: the same sum of line amounts, without a query per row.
    rows = queryset.order_by(stamp, "pk").annotate(line_total=Sum("lines__amount"))
    return [
        {
            "ref": quote_ref(quote.pk),
            "title": quote.title,
            "state": quote.state,
            "total": _money(quote.line_total),
            "currency": quote.currency,
            "at": getattr(quote, stamp).isoformat(),
        }
        for quote in rows
    ]


def _quotes(client: Client, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    mine = Quote.objects.filter(client=client)
    sent = _quote_rows(mine.filter(sent_at__gte=start, sent_at__lt=end), "sent_at")
    accepted = _quote_rows(
        mine.filter(state=QuoteState.ACCEPTED, decided_at__gte=start, decided_at__lt=end),
        "decided_at",
    )
    return {
        "sent": sent,
        "sent_totals": _totals(sent),
        "accepted": accepted,
        "accepted_totals": _totals(accepted),
    }


def _charges(client: Client, month: dt.date, quotes: dict[str, Any]) -> dict[str, Any]:
    package = client.package
    lines = [
        {
            "description": f"{package.name} retainer, {month:%B %Y}",
            "total": _money(package.monthly_retainer),
            "currency": package.currency,
        }
    ]
    lines += [
        {
            "description": f"Quote {quote['ref']}: {quote['title']}",
            "total": quote["total"],
            "currency": quote["currency"],
        }
        for quote in quotes["accepted"]
    ]
    return {"lines": lines, "totals": _totals(lines)}


def statement_figures(*, client: Client, month: dt.date, balance: Balance) -> dict[str, Any]:
    """1. The month's bounds on the client's calendar. 2. The allowance balance (closed by the
    caller) and the entries behind it. 3. Tickets by class and attainment. 4. Quotes sent and
    accepted. 5. Charges: the retainer and the accepted quotes."""
    start, end = month_begins_at(month, client.zone), month_ends_at(month, client.zone)
    entries = _entries(client, month)
    tickets, attainment = _tickets(client, start, end)
    quotes = _quotes(client, start, end)
    return {
        "version": FIGURES_VERSION,
        "month": f"{month:%Y-%m}",
        "days": calendar.monthrange(month.year, month.month)[1],
        "client": {"name": client.name, "slug": client.slug, "timezone": client.timezone},
        "allowance": _allowance(balance, entries),
        "entries": entries,
        "tickets": tickets,
        "attainment": attainment,
        "quotes": quotes,
        "charges": _charges(client, month, quotes),
    }
