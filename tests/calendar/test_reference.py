"""The calendar against a brute-force reference that walks minute by minute.

The reference is written from the documented rules only, as plainly as possible: an instant
is open when its local date is not closed and it lies between the instants of one of that
weekday's intervals (wall times read with fold=0, 24:00 being the next midnight). Random
calendars use minute-aligned intervals in zones with and without clock changes (one with a
30-minute change), and random instants on minute boundaries near those changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from operant.calendar import BusinessCalendar, parse_calendar
from tests.calendar.support import ALL_WEEK

MINUTE = timedelta(minutes=1)
ZONES = [
    "UTC",
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
]
# Clock changes of those zones in 2026 (UTC), where starts are drawn most often.
CHANGES = [
    datetime(2026, 3, 8, 7, tzinfo=UTC),
    datetime(2026, 11, 1, 6, tzinfo=UTC),
    datetime(2026, 3, 29, 1, tzinfo=UTC),
    datetime(2026, 10, 25, 1, tzinfo=UTC),
    datetime(2026, 4, 4, 15, tzinfo=UTC),
    datetime(2026, 10, 3, 15, tzinfo=UTC),
]


@dataclass(frozen=True)
class Spec:
    zone: str
    week: tuple[tuple[tuple[int, int], ...], ...]  # minutes, Monday first
    closed: frozenset[date]

    def table(self) -> dict[str, object]:
        return {
            "timezone": self.zone,
            "hours": {
                day: [f"{clock(a)}-{clock(b)}" for a, b in intervals]
                for day, intervals in zip(ALL_WEEK, self.week, strict=True)
            },
            "closed": sorted(day.isoformat() for day in self.closed),
        }

    def weekly_minutes(self) -> int:
        return sum(b - a for intervals in self.week for a, b in intervals)


def clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


class Reference:
    """Minute-stepping answers, written without the calendar module's ideas."""

    def __init__(self, spec: Spec) -> None:
        self.tz = ZoneInfo(spec.zone)
        self.spec = spec
        self.opening_hours = cache(self._opening_hours)

    def wall(self, day: date, minute: int) -> datetime:
        if minute == 1440:
            day, minute = day + timedelta(days=1), 0
        return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self.tz).astimezone(
            UTC
        )

    def _opening_hours(self, day: date) -> list[tuple[datetime, datetime]]:
        if day in self.spec.closed:
            return []
        return [(self.wall(day, a), self.wall(day, b)) for a, b in self.spec.week[day.weekday()]]

    def is_open(self, x: datetime) -> bool:
        day = x.astimezone(self.tz).date()
        return any(start <= x < end for start, end in self.opening_hours(day))

    def elapsed_minutes(self, a: datetime, b: datetime) -> int:
        count, x = 0, a
        while x < b:
            count += self.is_open(x)
            x += MINUTE
        return count

    def add(self, a: datetime, minutes: int) -> datetime:
        x = a
        if minutes == 0:
            while not self.is_open(x):
                x += MINUTE
            return x
        while True:
            if self.is_open(x):
                minutes -= 1
                if minutes == 0:
                    return x + MINUTE
            x += MINUTE

    def minutes_of(self, day: date) -> list[datetime]:
        x, end = self.wall(day, 0), self.wall(day, 1440)
        found = []
        while x < end:
            found.append(x)
            x += MINUTE
        return found

    def close(self, day: date) -> datetime | None:
        open_minutes = [x for x in self.minutes_of(day) if self.is_open(x)]
        return open_minutes[-1] + MINUTE if open_minutes else None

    def business_day_close(self, a: datetime, n: int, cutoff: int | None) -> datetime:
        day = a.astimezone(self.tz).date()
        close = self.close(day)
        deadline = close
        if close is not None and cutoff is not None:
            deadline = min(close, self.wall(day, cutoff))
        if close is None or a >= deadline:
            day += timedelta(days=1)
            while self.close(day) is None:
                day += timedelta(days=1)
        while n:
            day += timedelta(days=1)
            n -= self.close(day) is not None
        result = self.close(day)
        assert result is not None
        return result


def day_hours() -> st.SearchStrategy[tuple[tuple[int, int], ...]]:
    # Distinct cut points paired off: sorted, disjoint intervals on minute boundaries. Points
    # lean towards midnight and the small hours, where days begin and clocks change.
    point = st.one_of(
        st.integers(0, 1440), st.integers(0, 240), st.sampled_from([0, 60, 120, 150, 180, 1440])
    )
    points = st.lists(point, unique=True, max_size=6).map(sorted)
    return points.map(lambda p: tuple((p[i], p[i + 1]) for i in range(0, len(p) - 1, 2)))


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Spec, datetime]:
    week = draw(st.tuples(*[day_hours()] * 7).filter(any))
    anchor = draw(
        st.one_of(
            st.sampled_from(CHANGES),
            st.integers(0, 365 * 1440).map(lambda m: datetime(2026, 1, 1, tzinfo=UTC) + m * MINUTE),
        )
    )
    start = anchor + draw(st.integers(-4 * 1440, 4 * 1440)) * MINUTE
    shifts = st.lists(st.integers(-2, 20), max_size=6)
    closed = frozenset(start.date() + timedelta(days=d) for d in draw(shifts))
    return Spec(draw(st.sampled_from(ZONES)), week, closed), start


def build(spec: Spec) -> BusinessCalendar:
    return parse_calendar(spec.table())


REFERENCE_SETTINGS = settings(max_examples=50, deadline=None)


@REFERENCE_SETTINGS
@given(scenarios(), st.data())
def test_add_matches_the_minute_by_minute_reference(
    scenario: tuple[Spec, datetime], data: st.DataObject
) -> None:
    spec, start = scenario
    minutes = data.draw(st.integers(0, min(2 * spec.weekly_minutes(), 2000)), label="minutes")
    due = build(spec).add(start, minutes * MINUTE)
    assert due.astimezone(UTC) == Reference(spec).add(start, minutes)


@REFERENCE_SETTINGS
@given(scenarios(), st.integers(0, 12 * 1440))
def test_elapsed_matches_the_minute_by_minute_reference(
    scenario: tuple[Spec, datetime], span: int
) -> None:
    spec, start = scenario
    end = start + span * MINUTE
    expected = Reference(spec).elapsed_minutes(start, end) * MINUTE
    assert build(spec).elapsed(start, end) == expected
    assert build(spec).elapsed(end, start) == -expected


@REFERENCE_SETTINGS
@given(scenarios(), st.lists(st.integers(-1440, 3 * 1440), min_size=1, max_size=20))
def test_is_open_matches_the_reference(scenario: tuple[Spec, datetime], shifts: list[int]) -> None:
    spec, start = scenario
    calendar, reference = build(spec), Reference(spec)
    for shift in shifts:
        moment = start + shift * MINUTE
        assert calendar.is_open(moment) == reference.is_open(moment), moment


@settings(max_examples=30, deadline=None)
@given(scenarios(), st.integers(0, 4), st.none() | st.integers(0, 1439))
def test_business_day_close_matches_the_day_by_day_reference(
    scenario: tuple[Spec, datetime], n: int, cutoff: int | None
) -> None:
    spec, start = scenario
    cutoff_time = None if cutoff is None else time(cutoff // 60, cutoff % 60)
    due = build(spec).business_day_close(start, n, cutoff_time)
    assert due.astimezone(UTC) == Reference(spec).business_day_close(start, n, cutoff)
