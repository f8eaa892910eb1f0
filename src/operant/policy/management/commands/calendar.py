"""`operant calendar due|elapsed`: business-time arithmetic on a calendar file from the shell.

A stable contract for scripts: `due` prints one ISO 8601 instant with its UTC offset, in the
calendar's time zone; `elapsed` prints whole business seconds (truncated toward zero).
Inputs without a UTC offset are read as local times in the calendar's time zone.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from operant.calendar import CalendarError, load_calendar_file
from operant.core.command import OperantCommand
from operant.core.errors import UserError
from operant.core.limits import check_year

_SECOND = timedelta(seconds=1)


class Command(OperantCommand):
    help = "Due instants and elapsed business time on a calendar file ([calendar] table)."

    def add_arguments(self, parser: Any) -> None:
        actions = parser.add_subparsers(dest="action", required=True)

        due = actions.add_parser("due", help="the instant a number of business hours runs out")
        due.add_argument("--calendar", required=True, metavar="FILE", help="TOML calendar file")
        due.add_argument("--start", required=True, metavar="ISO8601", help="when the clock starts")
        # Read as text so a bad number gets our one-line message, not argparse's usage dump.
        due.add_argument(
            "--business-hours", required=True, metavar="H", help="hours of business time (>= 0)"
        )

        elapsed = actions.add_parser("elapsed", help="business seconds between two instants")
        elapsed.add_argument("--calendar", required=True, metavar="FILE", help="TOML calendar file")
        elapsed.add_argument("--start", required=True, metavar="ISO8601", help="first instant")
        elapsed.add_argument("--end", required=True, metavar="ISO8601", help="second instant")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            calendar = load_calendar_file(options["calendar"])
            start = _instant(options["start"], "--start", calendar.timezone)
            if options["action"] == "due":
                hours = _hours(options["business_hours"])
                self.stdout.write(calendar.add(start, hours).isoformat())
            else:
                end = _instant(options["end"], "--end", calendar.timezone)
                self.stdout.write(str(_whole_seconds(calendar.elapsed(start, end))))
        except CalendarError as exc:
            raise UserError(str(exc)) from exc


def _instant(text: str, option: str, tz: ZoneInfo) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UserError(
            f"{option}: {text!r} is not an ISO 8601 date and time (e.g. 2026-03-09T10:30:00-04:00)"
        ) from None
    check_year(value, option)
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)  # fold=0: an ambiguous local time is its first occurrence
    return value


def _hours(text: str) -> timedelta:
    try:
        hours = float(text)
    except ValueError:
        raise UserError(f"--business-hours: {text!r} is not a number of hours") from None
    if not math.isfinite(hours):
        raise UserError(f"--business-hours: {text!r} is not a finite number of hours")
    if hours < 0:
        raise UserError(f"--business-hours: must not be negative, got {text}")
    try:
        return timedelta(hours=hours)
    except OverflowError:
        raise UserError(f"--business-hours: {text} is too large") from None


def _whole_seconds(duration: timedelta) -> int:
    # Toward zero, so a negative span (end before start) mirrors the positive one.
    whole = abs(duration) // _SECOND
    return whole if duration >= timedelta(0) else -whole
