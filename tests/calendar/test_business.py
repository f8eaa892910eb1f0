"""Examples of add, elapsed, is_open and next_open on ordinary days (DST: test_dst.py)."""

from __future__ import annotations

import copy
import pickle
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import holidays
import pytest

from operant.calendar import CalendarError, parse_calendar
from tests.calendar.support import (
    LUNCH_BREAK,
    NY,
    UTC,
    at,
    hours,
    make_calendar,
)

# 2026-03-09 is a Monday; 2026-11-26 is Thanksgiving (a Thursday).
OFFICE = make_calendar(LUNCH_BREAK)
US_OFFICE = make_calendar(
    LUNCH_BREAK, holidays={"country": "US", "subdivision": "NY"}, closed=["2026-12-24"]
)
US_OFFICE_NO_CLOSED = make_calendar(LUNCH_BREAK, holidays={"country": "US", "subdivision": "NY"})


def test_it_counts_only_the_hours_inside_intervals_around_a_lunch_break() -> None:
    assert OFFICE.add(at(2026, 3, 9, 9), hours(4)) == at(2026, 3, 9, 14)
    assert OFFICE.elapsed(at(2026, 3, 9, 9), at(2026, 3, 9, 14)) == hours(4)


def test_a_start_before_opening_counts_from_the_opening() -> None:
    assert OFFICE.add(at(2026, 3, 9, 7, 15), hours(1)) == at(2026, 3, 9, 10)


def test_a_start_during_lunch_counts_from_the_afternoon_opening() -> None:
    assert OFFICE.add(at(2026, 3, 9, 12, 30), hours(1)) == at(2026, 3, 9, 14)
    assert not OFFICE.is_open(at(2026, 3, 9, 12, 30))
    assert OFFICE.next_open(at(2026, 3, 9, 12, 30)) == at(2026, 3, 9, 13)


def test_a_start_after_closing_rolls_to_the_next_business_day() -> None:
    assert OFFICE.add(at(2026, 3, 9, 18), hours(1)) == at(2026, 3, 10, 10)


def test_a_weekend_start_rolls_to_monday() -> None:
    assert OFFICE.add(at(2026, 3, 14, 10), hours(1)) == at(2026, 3, 16, 10)
    assert OFFICE.next_open(at(2026, 3, 14, 10)) == at(2026, 3, 16, 9)


def test_a_friday_afternoon_runs_over_the_weekend() -> None:
    assert OFFICE.add(at(2026, 3, 13, 16), hours(2.5)) == at(2026, 3, 16, 10, 30)
    assert OFFICE.elapsed(at(2026, 3, 13, 16), at(2026, 3, 16, 10, 30)) == hours(2.5)


def test_an_interval_includes_its_opening_and_excludes_its_closing_instant() -> None:
    assert OFFICE.is_open(at(2026, 3, 9, 9))
    assert OFFICE.is_open(at(2026, 3, 9, 16, 59))
    assert not OFFICE.is_open(at(2026, 3, 9, 17))
    assert not OFFICE.is_open(at(2026, 3, 9, 12))


def test_a_start_exactly_at_closing_time_counts_from_the_next_opening() -> None:
    assert OFFICE.add(at(2026, 3, 9, 17), hours(1)) == at(2026, 3, 10, 10)
    assert OFFICE.add(at(2026, 3, 9, 12), hours(1)) == at(2026, 3, 9, 14)


def test_a_duration_that_runs_out_at_closing_time_is_due_at_closing_time() -> None:
    assert OFFICE.add(at(2026, 3, 9, 16), hours(1)) == at(2026, 3, 9, 17)
    assert OFFICE.add(at(2026, 3, 9, 11), hours(1)) == at(2026, 3, 9, 12)
    # Friday's close, not Monday's opening.
    assert OFFICE.add(at(2026, 3, 13, 9), hours(7)) == at(2026, 3, 13, 17)
    assert OFFICE.add(at(2026, 3, 9, 9), hours(35)) == at(2026, 3, 13, 17)


def test_a_zero_duration_is_due_now_when_open_else_at_the_next_opening() -> None:
    assert OFFICE.add(at(2026, 3, 9, 10), timedelta(0)) == at(2026, 3, 9, 10)
    assert OFFICE.add(at(2026, 3, 14, 10), timedelta(0)) == at(2026, 3, 16, 9)
    assert OFFICE.add(at(2026, 3, 9, 17), timedelta(0)) == at(2026, 3, 10, 9)


def test_next_open_returns_the_instant_itself_when_open() -> None:
    assert OFFICE.next_open(at(2026, 3, 9, 10, 7)) == at(2026, 3, 9, 10, 7)


def test_it_skips_thanksgiving_from_the_holidays_package() -> None:
    assert not US_OFFICE.is_business_day(date(2026, 11, 26))
    assert not US_OFFICE.is_open(at(2026, 11, 26, 10))
    assert US_OFFICE.add(at(2026, 11, 25, 16), hours(2)) == at(2026, 11, 27, 10)
    assert US_OFFICE.elapsed(at(2026, 11, 25, 9), at(2026, 11, 28)) == hours(14)


def test_it_skips_explicit_closed_dates() -> None:
    closed_only = make_calendar(LUNCH_BREAK, closed=["2026-12-24"])
    assert closed_only.add(at(2026, 12, 23, 16), hours(2)) == at(2026, 12, 25, 10)
    # With holidays too, Christmas Day follows the closed Christmas Eve.
    assert US_OFFICE.add(at(2026, 12, 23, 16), hours(2)) == at(2026, 12, 28, 10)


def test_it_accepts_closed_dates_written_as_toml_dates() -> None:
    calendar = make_calendar(closed=[date(2026, 3, 10)])
    assert not calendar.is_business_day(date(2026, 3, 10))


def test_elapsed_is_negative_when_the_end_is_before_the_start() -> None:
    assert OFFICE.elapsed(at(2026, 3, 16, 10, 30), at(2026, 3, 13, 16)) == -hours(2.5)
    assert OFFICE.elapsed(at(2026, 3, 9, 10), at(2026, 3, 9, 10)) == timedelta(0)


def test_elapsed_outside_hours_is_zero() -> None:
    assert OFFICE.elapsed(at(2026, 3, 14, 1), at(2026, 3, 15, 23)) == timedelta(0)
    assert OFFICE.elapsed(at(2026, 3, 9, 12), at(2026, 3, 9, 13)) == timedelta(0)


def test_elapsed_over_a_year_is_the_weekly_pattern_less_holidays_and_closed_days() -> None:
    closed = set(holidays.country_holidays("US", subdiv="NY", years=2026)) | {date(2026, 12, 24)}
    open_days = sum(
        1
        for offset in range(365)
        if (day := date(2026, 1, 1) + timedelta(days=offset)).weekday() < 5 and day not in closed
    )
    assert US_OFFICE.elapsed(at(2026, 1, 1), at(2027, 1, 1)) == hours(7 * open_days)


def test_a_long_span_round_trips_exactly() -> None:
    start = at(2026, 2, 3, 11, 17)
    for span in (hours(1000), hours(10_000), timedelta(hours=12_345, microseconds=7)):
        due = US_OFFICE.add(start, span)
        assert US_OFFICE.elapsed(start, due) == span


def test_fractional_durations_are_exact_to_the_microsecond() -> None:
    due = OFFICE.add(at(2026, 3, 9, 11, 59), timedelta(minutes=1, microseconds=1))
    assert due == at(2026, 3, 9, 13) + timedelta(microseconds=1)


def test_it_accepts_instants_in_any_zone_and_answers_in_its_own() -> None:
    due = OFFICE.add(at(2026, 3, 9, 14, tz=UTC), hours(1))  # 10:00 in New York
    assert due == at(2026, 3, 9, 11)
    assert due.tzinfo is NY
    assert due.isoformat() == "2026-03-09T11:00:00-04:00"


def test_a_24_00_end_runs_to_the_next_midnight() -> None:
    calendar = make_calendar(["20:00-24:00"], days=["mon"])
    assert calendar.is_open(at(2026, 3, 9, 23, 59))
    assert not calendar.is_open(at(2026, 3, 10, 0))
    assert calendar.close_of_day(date(2026, 3, 9)) == at(2026, 3, 10)
    assert calendar.add(at(2026, 3, 9, 21), hours(3)) == at(2026, 3, 10)


def test_a_night_shift_continues_across_midnight() -> None:
    # Monday evening into Tuesday morning.
    calendar = parse_calendar(
        {"timezone": "America/New_York", "hours": {"mon": ["20:00-24:00"], "tue": ["00:00-02:00"]}}
    )
    assert calendar.add(at(2026, 3, 9, 23), hours(2)) == at(2026, 3, 10, 1)
    assert calendar.elapsed(at(2026, 3, 9, 20), at(2026, 3, 10, 2)) == hours(6)


def test_open_intervals_and_close_of_day_describe_a_date() -> None:
    assert OFFICE.open_intervals(date(2026, 3, 9)) == [
        (at(2026, 3, 9, 9), at(2026, 3, 9, 12)),
        (at(2026, 3, 9, 13), at(2026, 3, 9, 17)),
    ]
    assert OFFICE.close_of_day(date(2026, 3, 9)) == at(2026, 3, 9, 17)
    assert OFFICE.close_of_day(date(2026, 3, 14)) is None
    assert US_OFFICE.close_of_day(date(2026, 11, 26)) is None


def test_it_refuses_naive_datetimes() -> None:
    naive = at(2026, 3, 9, 10).replace(tzinfo=None)
    with pytest.raises(CalendarError, match="no time zone") as caught:
        OFFICE.add(naive, hours(1))
    assert caught.value.key == "t"
    with pytest.raises(CalendarError, match=r"^b: "):
        OFFICE.elapsed(at(2026, 3, 9), naive)


def test_it_refuses_a_negative_duration() -> None:
    with pytest.raises(CalendarError, match=r"^duration: must not be negative"):
        OFFICE.add(at(2026, 3, 9, 10), -hours(1))


def test_it_refuses_instants_outside_the_supported_years() -> None:
    with pytest.raises(CalendarError, match="only dates in the years 2-9997 are supported"):
        OFFICE.add(at(9997, 12, 20), hours(10_000))


def test_it_reports_a_calendar_that_never_opens_instead_of_looping(monkeypatch) -> None:
    # No real country closes every day, so stand in a holiday table that does.
    def every_day(country: str, subdiv: str | None = None, years: int = 0) -> list[date]:
        first, end = date(years, 1, 1).toordinal(), date(years + 1, 1, 1).toordinal()
        return [date.fromordinal(day) for day in range(first, end)]

    calendar = make_calendar(holidays={"country": "US"})
    monkeypatch.setattr("operant.calendar.table.holidays.country_holidays", every_day)
    with pytest.raises(
        CalendarError, match=r"^calendar: the calendar never opens after 2026-03-10"
    ):
        calendar.add(at(2026, 3, 9), hours(1))


def test_long_closures_are_jumped_not_walked() -> None:
    # Every Monday of three years closed on a Mondays-only calendar: the answer is the first
    # Monday after them.
    first = date(2026, 3, 9)
    mondays = [first + timedelta(weeks=week) for week in range(156)]
    calendar = make_calendar(days=["mon"], closed=[day.isoformat() for day in mondays])
    after = mondays[-1] + timedelta(weeks=1)
    assert calendar.add(at(2026, 3, 9, 8), hours(1)) == at(after.year, after.month, after.day, 10)


def test_equal_tables_give_equal_calendars() -> None:
    assert make_calendar(LUNCH_BREAK) == OFFICE
    assert hash(make_calendar(LUNCH_BREAK)) == hash(OFFICE)


def test_a_calendar_survives_pickling_and_copying() -> None:
    US_OFFICE.add(at(2026, 3, 9), hours(100))  # fill the caches first
    for clone in (pickle.loads(pickle.dumps(US_OFFICE)), copy.deepcopy(US_OFFICE)):
        assert clone == US_OFFICE
        assert clone.add(at(2026, 11, 25, 16), hours(2)) == at(2026, 11, 27, 10)


def test_threads_sharing_a_calendar_get_the_same_answers() -> None:
    calendar = make_calendar(LUNCH_BREAK, holidays={"country": "US", "subdivision": "NY"})
    starts = [at(2026, 1, 5) + timedelta(days=37 * n, hours=n) for n in range(40)]
    expected = [US_OFFICE_NO_CLOSED.add(start, hours(900)) for start in starts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda start: calendar.add(start, hours(900)), starts))
    assert answers == expected
