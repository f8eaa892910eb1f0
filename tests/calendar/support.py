"""Calendars and instants shared by the calendar tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from operant.calendar import BusinessCalendar, parse_calendar

NY = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
UTC = ZoneInfo("UTC")
WORKWEEK = ("mon", "tue", "wed", "thu", "fri")
ALL_WEEK = (*WORKWEEK, "sat", "sun")
LUNCH_BREAK = ["09:00-12:00", "13:00-17:00"]


def make_calendar(
    intervals: Iterable[str] = ("09:00-17:00",),
    *,
    days: Iterable[str] = WORKWEEK,
    timezone: str = "America/New_York",
    **extra: Any,
) -> BusinessCalendar:
    """The same intervals on each of ``days``; ``extra`` goes into the table as given."""
    table: dict[str, Any] = {
        "timezone": timezone,
        "hours": {day: list(intervals) for day in days},
        **extra,
    }
    return parse_calendar(table)


def at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, tz: ZoneInfo = NY
) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=tz)


def hours(value: float) -> timedelta:
    return timedelta(hours=value)
