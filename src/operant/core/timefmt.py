"""Instants written for people, in their own timezone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def human_datetime(value: datetime, zone: ZoneInfo) -> str:
    """'Wednesday, December 2, 2026, 5:00 PM EST' — formatted here rather than with the |date
    filter, which would convert to the server's active timezone first."""
    local = value.astimezone(zone)
    hour = local.hour % 12 or 12
    return (
        f"{local:%A, %B} {local.day}, {local.year}, "
        f"{hour}:{local:%M} {'AM' if local.hour < 12 else 'PM'} {local.tzname()}"
    )


def iso_or_none(value: date | datetime | None) -> str | None:
    """ISO 8601 for JSON and event data; None stays None."""
    return value.isoformat() if value else None
