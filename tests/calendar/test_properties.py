"""Properties of add, elapsed, next_open and business_day_close on random inputs.

Starts are drawn uniformly over three years, and also close to clock changes and holidays,
where mistakes hide. Results are compared, and shifted, as UTC instants: Python compares and
adds to a datetime in its own zone by wall time, which is wrong in the repeated hour of a
fall-back day.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from operant.calendar import BusinessCalendar, parse_calendar
from tests.calendar.support import LUNCH_BREAK, WORKWEEK

ONE_US = timedelta(microseconds=1)
CALENDARS = {
    "new-york office": parse_calendar(
        {
            "timezone": "America/New_York",
            "hours": {day: LUNCH_BREAK for day in WORKWEEK},
            "holidays": {"country": "US", "subdivision": "NY"},
            "closed": ["2026-12-24", "2027-07-02"],
        }
    ),
    "new-york round the clock, Sundays off": parse_calendar(
        {
            "timezone": "America/New_York",
            "hours": {day: ["00:00-24:00"] for day in (*WORKWEEK, "sat")},
            "closed": ["2026-11-02", "2027-03-15"],
        }
    ),
    "sydney shifts around the clock change": parse_calendar(
        {
            "timezone": "Australia/Sydney",
            "hours": {
                "mon": ["00:00-03:00", "08:00-24:00"],
                "wed": ["09:00-17:00"],
                "fri": ["09:00-17:00"],
                "sun": ["01:30-02:30", "02:30-04:00", "22:00-24:00"],
            },
            "holidays": {"country": "AU", "subdivision": "NSW"},
        }
    ),
    "london early mornings": parse_calendar(
        {
            "timezone": "Europe/London",
            "hours": {"sun": ["00:30-01:30", "01:30-02:30"], "tue": ["06:00-07:00"]},
        }
    ),
}
# Clock changes (UTC) and holidays of the calendars above, in the span the starts cover.
HOTSPOTS = [
    datetime(2026, 3, 8, 7, tzinfo=UTC),
    datetime(2026, 11, 1, 6, tzinfo=UTC),
    datetime(2027, 3, 14, 7, tzinfo=UTC),
    datetime(2026, 4, 4, 16, tzinfo=UTC),
    datetime(2026, 10, 3, 16, tzinfo=UTC),
    datetime(2026, 3, 29, 1, tzinfo=UTC),
    datetime(2026, 10, 25, 1, tzinfo=UTC),
    datetime(2026, 11, 26, 12, tzinfo=UTC),
    datetime(2026, 12, 24, 12, tzinfo=UTC),
    datetime(2026, 12, 25, 2, tzinfo=UTC),
    datetime(2027, 1, 26, 2, tzinfo=UTC),
]

calendars = st.sampled_from(sorted(CALENDARS)).map(CALENDARS.__getitem__)
uniform_starts = st.datetimes(
    min_value=datetime(2025, 6, 1), max_value=datetime(2028, 6, 1), timezones=st.just(UTC)
)
near_hotspots = st.builds(
    lambda spot, shift: spot + shift,
    st.sampled_from(HOTSPOTS),
    st.timedeltas(min_value=timedelta(days=-8), max_value=timedelta(days=8)),
)
starts = st.one_of(uniform_starts, near_hotspots)
durations = st.one_of(
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=12)),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=3000)),
    st.integers(0, 400).map(lambda minutes: timedelta(minutes=minutes)),
)
SETTINGS = settings(max_examples=100, deadline=None)


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


@SETTINGS
@given(calendars, starts, durations)
def test_elapsed_undoes_add(calendar: BusinessCalendar, a: datetime, h: timedelta) -> None:
    assert calendar.elapsed(a, calendar.add(a, h)) == h


@SETTINGS
@given(calendars, starts, durations, durations)
def test_add_is_monotonic_in_the_duration(
    calendar: BusinessCalendar, a: datetime, h1: timedelta, h2: timedelta
) -> None:
    h1, h2 = sorted((h1, h2))
    assert utc(calendar.add(a, h1)) <= utc(calendar.add(a, h2))


@SETTINGS
@given(calendars, starts, starts, durations)
def test_add_is_monotonic_in_the_start(
    calendar: BusinessCalendar, a1: datetime, a2: datetime, h: timedelta
) -> None:
    a1, a2 = sorted((a1, a2))
    assert utc(calendar.add(a1, h)) <= utc(calendar.add(a2, h))


@SETTINGS
@given(calendars, starts, starts, starts)
def test_elapsed_is_additive(
    calendar: BusinessCalendar, a: datetime, b: datetime, c: datetime
) -> None:
    a, b, c = sorted((a, b, c))
    ab, bc, ac = calendar.elapsed(a, b), calendar.elapsed(b, c), calendar.elapsed(a, c)
    assert ab + bc == ac
    assert min(ab, bc) >= timedelta(0)
    assert calendar.elapsed(c, a) == -ac


@SETTINGS
@given(calendars, starts, durations)
def test_add_gives_the_earliest_instant(
    calendar: BusinessCalendar, a: datetime, h: timedelta
) -> None:
    due = calendar.add(a, h)
    assert utc(due) >= a
    if h:
        # The microsecond before the due instant was still open and still short of h.
        assert calendar.is_open(utc(due) - ONE_US)
        assert calendar.elapsed(a, utc(due) - ONE_US) == h - ONE_US
    else:
        assert calendar.is_open(due)


@SETTINGS
@given(calendars, starts)
def test_next_open_is_open_and_costs_no_business_time(
    calendar: BusinessCalendar, a: datetime
) -> None:
    opening = calendar.next_open(a)
    assert calendar.is_open(opening)
    assert utc(opening) >= a
    assert calendar.elapsed(a, opening) == timedelta(0)
    if calendar.is_open(a):
        assert utc(opening) == a
    else:
        # Everything from a up to the opening was closed.
        assert utc(opening) > a
        assert not calendar.is_open(utc(opening) - ONE_US)


@SETTINGS
@given(calendars, starts, st.integers(0, 300))
def test_business_day_close_is_a_close_and_grows_with_n(
    calendar: BusinessCalendar, a: datetime, n: int
) -> None:
    close = calendar.business_day_close(a, n)
    later = calendar.business_day_close(a, n + 1)
    assert utc(a) < utc(close) < utc(later)
    # Just before a close, the same-day target is that close.
    assert utc(calendar.business_day_close(utc(close) - ONE_US, 0)) == utc(close)
    assert calendar.is_open(utc(close) - ONE_US)
