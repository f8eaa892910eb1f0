"""When the next heartbeat is expected: after a period, or at the next fire of a cron
expression on a time zone's wall clock (healthchecks.io's two schedule kinds).

Pure: no Django, no database. Cron fires are computed by croniter on local time, so a daily
"0 9 * * *" job in New York is expected at 09:00 New York time on both sides of a DST change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterBadCronError, CroniterBadDateError, croniter

from operant.core.errors import UserError

MIN_PERIOD = timedelta(seconds=60)
MAX_PERIOD = timedelta(days=365)
MAX_GRACE = timedelta(days=365)


class ScheduleError(UserError):
    """A schedule that cannot be used as given."""


@dataclass(frozen=True)
class Schedule:
    """One of: every ``period`` (plus ``grace``), or each fire of ``cron`` in ``tz``."""

    grace: timedelta
    period: timedelta | None = None
    cron: str = ""
    tz: str = "UTC"

    def next_expected(self, after: datetime) -> datetime:
        """When the heartbeat after one received at ``after`` is due."""
        if self.period is not None:
            return after + self.period
        zone = ZoneInfo(self.tz)
        fire = croniter(self.cron, after.astimezone(zone)).get_next(datetime)
        return fire.astimezone(UTC)


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(
            f"unknown time zone {name!r}; use an IANA name such as America/New_York"
        ) from None
    return name


def cron_check(expression: str, tz: str, *, now: datetime) -> str:
    """The expression, normalised, if it is valid and fires within the next few years; a
    ScheduleError naming what is wrong otherwise ("0 0 30 2 *" never fires)."""
    expression = " ".join(expression.split())
    if len(expression.split()) != 5:
        raise ScheduleError(
            f"cron expression {expression!r}: expected 5 fields (minute hour day month weekday)"
        )
    zone = ZoneInfo(_zone(tz))
    try:
        croniter(expression, now.astimezone(zone)).get_next(datetime)
    except CroniterBadDateError:  # a ValueError too: caught first
        raise ScheduleError(f"cron expression {expression!r} never fires") from None
    except (CroniterBadCronError, ValueError, KeyError) as exc:
        raise ScheduleError(f"cron expression {expression!r} is not valid: {exc}") from None
    return expression


def schedule_check(
    *,
    period_seconds: int | None,
    grace_seconds: int,
    cron: str,
    tz: str,
    now: datetime,
) -> tuple[int | None, int, str, str]:
    """Validate a heartbeat schedule; returns (period, grace, cron, tz) as they are stored."""
    grace = timedelta(seconds=grace_seconds)
    if not timedelta(0) < grace <= MAX_GRACE:
        raise ScheduleError(f"grace must be from 1 second to {MAX_GRACE.days} days")
    if period_seconds is not None and cron:
        raise ScheduleError("give either a period or a cron expression, not both")
    if period_seconds is not None:
        period = timedelta(seconds=period_seconds)
        if not MIN_PERIOD <= period <= MAX_PERIOD:
            raise ScheduleError(
                f"period must be from {int(MIN_PERIOD.total_seconds())} seconds "
                f"to {MAX_PERIOD.days} days"
            )
        return period_seconds, grace_seconds, "", _zone(tz)
    if cron:
        return None, grace_seconds, cron_check(cron, tz, now=now), _zone(tz)
    return None, grace_seconds, "", _zone(tz)
