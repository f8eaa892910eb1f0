"""Calendar months on a client's own calendar: pure arithmetic, no database.

The allowance is "30 minutes per month" (clause 01), and a month is the client's: an entry made
at 23:30 on 31 January in Sydney belongs to January even though it is already February in New
York. A month is always named by its first day (``date(2026, 1, 1)``).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from operant.core.limits import FIRST_YEAR, LAST_YEAR


def month_start(day: dt.date) -> dt.date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def add_months(month: dt.date, count: int) -> dt.date:
    """The month ``count`` months after ``month`` (before it when negative)."""
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def local_date(when: dt.datetime, zone: ZoneInfo) -> dt.date:
    """The date on the client's wall clock at the instant ``when`` (which must be aware)."""
    if when.tzinfo is None:
        raise ValueError("a naive datetime has no instant; pass an aware one")
    return when.astimezone(zone).date()


def month_containing(when: dt.datetime | dt.date, zone: ZoneInfo) -> dt.date:
    """The client's month of an instant, or of a date already on the client's calendar."""
    if isinstance(when, dt.datetime):
        return month_start(local_date(when, zone))
    return month_start(when)


def month_begins_at(month: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The instant the month starts on the client's wall clock, in UTC.

    A few zones move their clocks at midnight. zoneinfo reads a midnight that never happened
    with the offset in force before the change, which is exactly the instant the day began.
    """
    local = dt.datetime(month.year, month.month, 1, tzinfo=zone)
    return local.astimezone(dt.UTC)


def month_ends_at(month: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The instant the next month starts: the first moment the month may be closed."""
    return month_begins_at(add_months(month, 1), zone)


def months_back(month: dt.date, count: int) -> list[dt.date]:
    """``count`` months ending with ``month``, newest first."""
    return [add_months(month, -offset) for offset in range(count)]


def parse_month(text: str) -> dt.date:
    """``YYYY-MM`` (as the CLI and the API write months) to the month's first day, in the
    years ``core.limits`` accepts (month arithmetic near year 1 or 9999 would overflow)."""
    try:
        month = dt.datetime.strptime(text.strip(), "%Y-%m").date()
    except ValueError:
        raise ValueError(f"{text!r} is not a month like 2026-12") from None
    if not FIRST_YEAR <= month.year <= LAST_YEAR:
        raise ValueError(f"{text!r}: the year must be from {FIRST_YEAR} to {LAST_YEAR}")
    return month
