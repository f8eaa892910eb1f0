"""Recurring windows: an iCalendar RRULE read on a time zone's wall clock.

Decisions (each refusal is a ``UserError`` naming what to fix):

1. A rule repeats at most daily (FREQ=DAILY, WEEKLY, MONTHLY or YEARLY) and every occurrence
   starts at the start's time of day: BYHOUR, BYMINUTE, BYSECOND, BYSETPOS, BYYEARDAY and
   BYWEEKNO are refused. What is left cannot be a rule that never matches (a 30 February, a
   sixth Monday), which dateutil would search for until the year 9999 (seconds of CPU).
2. The start must be the rule's first occurrence (RFC 5545 makes DTSTART one; dateutil would
   silently skip it), so the window an agent typed is the one clients are told about.
3. A rule without COUNT or UNTIL is accepted (weekly maintenance with no end date is normal),
   but it is only ever expanded between two instants, never to its end: occurrences are
   materialized up to a rolling horizon (``horizon_end``) that the worker extends.
4. Occurrences keep the wall-clock time across DST changes (every Sunday 01:00 in New York is
   01:00 EST, then 01:00 EDT); their length is exact elapsed time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule, rrulestr
from icalendar import vRecur

from operant.core.errors import UserError

FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
REFUSED_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND", "BYSETPOS", "BYYEARDAY", "BYWEEKNO")
# The longest each month gets (a leap year's February).
MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# Occurrences are materialized this far ahead of now (the iCalendar feed shows as much).
HORIZON = timedelta(days=90)


def zone_named(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(
            f"unknown time zone {name!r} (use an IANA name like America/New_York)"
        ) from None


def horizon_end(*, now: datetime, notice_lead: timedelta) -> datetime:
    """How far ahead occurrences are materialized: far enough that each one's notice is due
    after it exists."""
    return now + max(HORIZON, notice_lead + timedelta(days=7))


def _check_parts(text: str) -> dict[str, list[object]]:
    try:
        parts = dict(vRecur.from_ical(text))
    except ValueError as exc:
        raise UserError(f"RRULE {text!r} is not valid: {exc}") from None
    freq = [str(f) for f in parts.get("FREQ", [])]
    if not freq:
        raise UserError(f"RRULE {text!r} has no FREQ (e.g. FREQ=WEEKLY;BYDAY=SU)")
    if freq[0] not in FREQUENCIES:
        raise UserError(f"RRULE FREQ must be one of {', '.join(FREQUENCIES)}, got {freq[0]}")
    refused = [name for name in REFUSED_PARTS if name in parts]
    if refused:
        raise UserError(
            f"RRULE {', '.join(refused)} is not supported: each occurrence starts at the "
            "start's time of day"
        )
    if "COUNT" in parts and "UNTIL" in parts:
        raise UserError("RRULE has both COUNT and UNTIL: give one")
    _check_month_days(parts)
    _check_ordinals(parts, freq[0])
    return parts


def _check_month_days(parts: dict[str, list[object]]) -> None:
    days = [int(str(d)) for d in parts.get("BYMONTHDAY", [])]
    months = [int(str(m)) for m in parts.get("BYMONTH", [])] or list(range(1, 13))
    if days and not any(abs(d) <= MONTH_DAYS[m - 1] for d in days for m in months):
        raise UserError("RRULE never matches: no month it names has the days it names")


def _check_ordinals(parts: dict[str, list[object]], freq: str) -> None:
    for day in parts.get("BYDAY", []):
        ordinal = str(day)[:-2]
        if not ordinal or ordinal in ("+", "-"):
            continue
        n = abs(int(ordinal))
        if freq in ("DAILY", "WEEKLY"):
            raise UserError(f"RRULE BYDAY={day}: a numbered weekday needs FREQ=MONTHLY or YEARLY")
        limit = 5 if freq == "MONTHLY" or "BYMONTH" in parts else 53
        if not 1 <= n <= limit:
            raise UserError(f"RRULE BYDAY={day} never matches (at most {limit} of a weekday)")


@dataclass(frozen=True)
class Recurrence:
    """A window's occurrence starts (aware, UTC) from its stored fields."""

    rule: rrule | None
    first_start: datetime

    def starts_between(self, after: datetime, before: datetime) -> list[datetime]:
        """Starts with ``after <= start < before``: a bounded search whatever the rule."""
        if self.rule is None:
            return [self.first_start] if after <= self.first_start < before else []
        found = self.rule.between(after, before, inc=True)
        return [start.astimezone(ZoneInfo("UTC")) for start in found if start < before]

    def has_more_from(self, instant: datetime) -> bool:
        if self.rule is None:
            return self.first_start >= instant
        return self.rule.after(instant, inc=True) is not None


def recurrence_of(*, rule_text: str, first_start: datetime, zone_name: str) -> Recurrence:
    """The checked recurrence (module docstring); ``rule_text`` "" is a one-off window."""
    if not rule_text:
        return Recurrence(rule=None, first_start=first_start)
    text = rule_text.strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    parts = _check_parts(text)
    local_start = first_start.astimezone(zone_named(zone_name))
    until = parts.get("UNTIL")
    if until and isinstance(until[0], datetime) and until[0].tzinfo is None:
        raise UserError("RRULE UNTIL must be in UTC (end it with Z, e.g. UNTIL=20270401T000000Z)")
    try:
        rule = rrulestr(text, dtstart=local_start)
    except (ValueError, TypeError) as exc:
        raise UserError(f"RRULE {text!r} is not valid: {exc}") from None
    if not isinstance(rule, rrule):
        raise UserError(f"RRULE {text!r} must be a single rule")
    first = next(iter(rule), None)
    if first is None:
        raise UserError(f"RRULE {text!r} has no occurrence from the start on (UNTIL too early?)")
    if first != local_start:
        raise UserError(
            f"the start {local_start.isoformat()} is not an occurrence of RRULE {text!r} "
            f"(its first is {first.isoformat()}): start the window on its first occurrence"
        )
    return Recurrence(rule=rule, first_start=first_start)
