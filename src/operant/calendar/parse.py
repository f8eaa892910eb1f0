"""Reading a calendar table (TOML ``[calendar]``) into a validated ``BusinessCalendar``."""

from __future__ import annotations

import re
import tomllib
import warnings
from collections.abc import Mapping
from datetime import date, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from operant.calendar.business import BusinessCalendar
from operant.calendar.errors import CalendarError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_KEYS = ("timezone", "hours", "holidays", "closed")
_HOLIDAY_KEYS = ("country", "subdivision")
# Hours may have one or two digits ("9:00" is as clear as "09:00"); minutes always two, so
# "9-5" or "9:0-17:00" are refused rather than guessed at.
_INTERVAL = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
_EXAMPLE = '"09:00-17:00"'


def parse_calendar(table: Mapping[str, Any], *, key: str = "calendar") -> BusinessCalendar:
    """Validate the contents of a ``[calendar]`` table (as tomllib returns it).

    ``key`` is where the table sits in its file, so that messages name the key a person edits.
    Every problem raises ``CalendarError`` naming the offending key.
    """
    if not isinstance(table, Mapping):
        raise CalendarError(key, f"expected a table, got {_kind(table)}")
    for name in table:
        if name not in _KEYS:
            expected = ", ".join(_KEYS)
            raise CalendarError(f"{key}.{name}", f"unknown key (expected one of {expected})")
    tz = _parse_timezone(table.get("timezone"), f"{key}.timezone")
    hours = _parse_hours(table.get("hours"), f"{key}.hours")
    country, subdivision = _parse_holidays(table.get("holidays"), f"{key}.holidays")
    closed = _parse_closed(table.get("closed", []), f"{key}.closed")
    return BusinessCalendar(
        timezone=tz,
        hours=hours,
        holiday_country=country,
        holiday_subdivision=subdivision,
        closed=closed,
    )


def load_calendar_file(path: str | Path) -> BusinessCalendar:
    """Read a TOML file with a ``[calendar]`` table; errors name the file, the line and the key."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CalendarError("calendar", "the calendar file does not exist", source=source) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CalendarError("calendar", f"cannot read the file: {exc}", source=source) from None
    try:
        # tomllib's message ends with "(at line N, column M)", which is what the reader needs.
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib says "(at line N, column M)" except at the very end; give a line there too.
        lines = len(text.splitlines()) or 1
        detail = str(exc).replace("(at end of document)", f"(at the end, line {lines})")
        raise CalendarError("calendar", f"invalid TOML: {detail}", source=source) from None
    if "calendar" not in document:
        raise CalendarError("calendar", "the file has no [calendar] table", source=source)
    try:
        return parse_calendar(document["calendar"])
    except CalendarError as exc:
        line = find_key_line(text, exc.key)
        raise exc.in_file(f"{source}, line {line}" if line else source) from None


def find_key_line(text: str, key: str) -> int | None:
    """The 1-based line where dotted ``key`` (or the closest enclosing key) is set, if found.

    A deliberately small reading of TOML (headers and ``a.b = ...`` lines) that is only used to
    point a person at a line; when it cannot tell, the message simply has no line number.
    """
    best: tuple[int, int] | None = None  # (length of matched key, line number)
    table = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        header = re.match(r"^\[\[?\s*([A-Za-z0-9_.\-\s]+?)\s*\]\]?$", line)
        if header:
            table = re.sub(r"\s*\.\s*", ".", header.group(1))
            found = table
        elif "=" in line:
            name = re.sub(r"\s*\.\s*", ".", line.split("=", 1)[0].strip())
            found = f"{table}.{name}" if table else name
        else:
            continue
        if (key == found or key.startswith(found + ".")) and (best is None or len(found) > best[0]):
            best = (len(found), number)
    return best[1] if best else None


def _parse_timezone(value: Any, key: str) -> ZoneInfo:
    if value is None:
        raise CalendarError(key, 'missing (an IANA time zone such as "America/New_York")')
    if not isinstance(value, str):
        raise CalendarError(key, f"expected an IANA time zone name, got {_kind(value)}")
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        # ValueError: names zoneinfo refuses outright, such as absolute paths or "".
        raise CalendarError(key, f'unknown timezone "{value}"') from None


def _parse_hours(value: Any, key: str) -> tuple[tuple[tuple[int, int], ...], ...]:
    if value is None:
        value = {}
    if not isinstance(value, Mapping):
        raise CalendarError(key, f"expected a table of weekdays (mon ... sun), got {_kind(value)}")
    for day in value:
        if day not in WEEKDAYS:
            raise CalendarError(f"{key}.{day}", f"unknown weekday (use {', '.join(WEEKDAYS)})")
    week = tuple(_parse_day(value.get(day, []), f"{key}.{day}") for day in WEEKDAYS)
    if not any(week):
        raise CalendarError(key, "the calendar is never open (no opening hours on any day)")
    return week


def _parse_day(value: Any, key: str) -> tuple[tuple[int, int], ...]:
    if not isinstance(value, list):
        raise CalendarError(
            key, f"expected a list of intervals like [{_EXAMPLE}], got {_kind(value)}"
        )
    parsed: list[tuple[int, int, int, str]] = []
    for index, text in enumerate(value):
        where = f"{key}[{index}]"
        start, end = _parse_interval(text, where)
        parsed.append((start, end, index, text))
    # Overlaps are reported against the neighbour in time order, not in file order, so a day
    # written out of order is still accepted when its intervals are disjoint.
    parsed.sort()
    for before, after in pairwise(parsed):
        if after[0] < before[1]:
            raise CalendarError(f"{key}[{after[2]}]", f'"{after[3]}" overlaps "{before[3]}"')
    return tuple((start, end) for start, end, _, _ in parsed)


def _parse_interval(text: Any, key: str) -> tuple[int, int]:
    """Minutes since local midnight of the start and end; 24:00 is 1440."""
    if not isinstance(text, str):
        raise CalendarError(key, f"expected a string like {_EXAMPLE}, got {_kind(text)}")
    match = _INTERVAL.match(text.strip())
    if not match:
        raise CalendarError(key, f'"{text}" is not an interval like {_EXAMPLE}')
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    start_ok = h1 <= 23 and m1 <= 59
    end_ok = (h2 <= 23 and m2 <= 59) or (h2 == 24 and m2 == 0)
    if not (start_ok and end_ok):
        raise CalendarError(
            key,
            f'"{text}" has an impossible time (hours 00-23, minutes 00-59; only an end may be '
            "24:00)",
        )
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if end < start:
        raise CalendarError(key, f'"{text}" ends before it starts')
    if end == start:
        raise CalendarError(key, f'"{text}" is empty (it ends when it starts)')
    return start, end


def _parse_holidays(value: Any, key: str) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    if not isinstance(value, Mapping):
        raise CalendarError(
            key, f"expected a table with country and subdivision, got {_kind(value)}"
        )
    for name in value:
        if name not in _HOLIDAY_KEYS:
            raise CalendarError(f"{key}.{name}", "unknown key (expected country, subdivision)")
    country, subdivision = value.get("country"), value.get("subdivision")
    if country is None:
        if subdivision is not None:
            raise CalendarError(f"{key}.country", "missing (a subdivision needs its country)")
        return None, None
    if not isinstance(country, str):
        raise CalendarError(f"{key}.country", f"expected a country code, got {_kind(country)}")
    if subdivision is not None and not isinstance(subdivision, str):
        raise CalendarError(
            f"{key}.subdivision", f"expected a subdivision code, got {_kind(subdivision)}"
        )
    if country not in holidays.list_supported_countries():
        raise CalendarError(
            f"{key}.country", f'unknown country "{country}" (an ISO 3166 code such as "US")'
        )
    try:
        with warnings.catch_warnings():
            # Deprecated subdivision aliases still work; the file is valid, so stay quiet.
            warnings.simplefilter("ignore")
            holidays.country_holidays(country, subdiv=subdivision, years=())
    except NotImplementedError:
        raise CalendarError(
            f"{key}.subdivision", f'unknown subdivision "{subdivision}" for {country}'
        ) from None
    return country, subdivision


def _parse_closed(value: Any, key: str) -> frozenset[date]:
    if not isinstance(value, list):
        raise CalendarError(
            key, f'expected a list of dates like ["2026-12-24"], got {_kind(value)}'
        )
    days: set[date] = set()
    for index, item in enumerate(value):
        where = f"{key}[{index}]"
        # TOML has a date type and tomllib returns it as such; quoted dates are accepted too.
        if isinstance(item, datetime):
            raise CalendarError(where, f"{item.isoformat()} is a date and time; give a date")
        if isinstance(item, date):
            days.add(item)
            continue
        if not isinstance(item, str):
            raise CalendarError(where, f"expected a date like 2026-12-24, got {_kind(item)}")
        try:
            if len(item) != 10:
                raise ValueError(item)
            days.add(date.fromisoformat(item))
        except ValueError:
            raise CalendarError(where, f'"{item}" is not a date (expected YYYY-MM-DD)') from None
    return frozenset(days)


def _kind(value: Any) -> str:
    """How a TOML reader would describe a value, for messages."""
    names = {
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "a table",
    }
    return names.get(type(value), type(value).__name__)
