"""business_day_close: "within N business days" targets, with and without a cutoff."""

from __future__ import annotations

from datetime import date, time, timedelta

import holidays
import pytest

from operant.calendar import CalendarError, parse_calendar
from tests.calendar.support import LUNCH_BREAK, at, make_calendar

# 2026-03-09 is a Monday; 2026-11-26 is Thanksgiving (a Thursday).
OFFICE = make_calendar(
    LUNCH_BREAK, holidays={"country": "US", "subdivision": "NY"}, closed=["2026-12-24"]
)
FIFTEEN = time(15)


def test_one_business_day_is_by_close_of_the_next_business_day() -> None:
    assert OFFICE.business_day_close(at(2026, 3, 9, 10), 1) == at(2026, 3, 10, 17)


def test_zero_business_days_is_by_todays_close() -> None:
    assert OFFICE.business_day_close(at(2026, 3, 9, 10), 0) == at(2026, 3, 9, 17)


def test_a_start_before_opening_counts_that_day() -> None:
    assert OFFICE.business_day_close(at(2026, 3, 9, 7), 1) == at(2026, 3, 10, 17)


def test_a_start_during_lunch_counts_that_day() -> None:
    assert OFFICE.business_day_close(at(2026, 3, 9, 12, 30), 0) == at(2026, 3, 9, 17)


def test_an_after_hours_start_counts_from_the_next_business_day() -> None:
    assert OFFICE.business_day_close(at(2026, 3, 9, 18), 1) == at(2026, 3, 11, 17)
    assert OFFICE.business_day_close(at(2026, 3, 9, 17), 0) == at(2026, 3, 10, 17)


def test_a_weekend_start_counts_from_monday() -> None:
    assert OFFICE.business_day_close(at(2026, 3, 14, 10), 0) == at(2026, 3, 16, 17)
    assert OFFICE.business_day_close(at(2026, 3, 14, 10), 1) == at(2026, 3, 17, 17)


def test_a_holiday_start_counts_from_the_next_business_day() -> None:
    assert OFFICE.business_day_close(at(2026, 11, 26, 10), 0) == at(2026, 11, 27, 17)
    assert OFFICE.business_day_close(at(2026, 11, 26, 10), 1) == at(2026, 11, 30, 17)


def test_a_holiday_in_the_span_is_not_counted() -> None:
    assert OFFICE.business_day_close(at(2026, 11, 25, 16), 1) == at(2026, 11, 27, 17)
    # Christmas Eve (closed) and Christmas Day (holiday) in a row.
    assert OFFICE.business_day_close(at(2026, 12, 23, 10), 1) == at(2026, 12, 28, 17)


def test_same_business_day_with_a_cutoff_before_the_cutoff() -> None:
    assert OFFICE.business_day_close(at(2026, 3, 9, 14, 59), 0, FIFTEEN) == at(2026, 3, 9, 17)


def test_same_business_day_with_a_cutoff_at_or_after_the_cutoff() -> None:
    assert OFFICE.business_day_close(at(2026, 3, 9, 15), 0, FIFTEEN) == at(2026, 3, 10, 17)
    assert OFFICE.business_day_close(at(2026, 3, 9, 16), 0, FIFTEEN) == at(2026, 3, 10, 17)
    assert OFFICE.business_day_close(at(2026, 3, 13, 15, 30), 0, FIFTEEN) == at(2026, 3, 16, 17)


def test_a_cutoff_applies_to_n_business_days_too() -> None:
    assert OFFICE.business_day_close(at(2026, 3, 9, 15, 30), 1, FIFTEEN) == at(2026, 3, 11, 17)
    assert OFFICE.business_day_close(at(2026, 3, 9, 14), 1, FIFTEEN) == at(2026, 3, 10, 17)


def test_a_cutoff_later_than_the_close_behaves_like_the_close() -> None:
    late = time(20)
    assert OFFICE.business_day_close(at(2026, 3, 9, 16), 0, late) == at(2026, 3, 9, 17)
    assert OFFICE.business_day_close(at(2026, 3, 9, 17, 30), 0, late) == at(2026, 3, 10, 17)


def test_a_cutoff_on_a_weekend_start_does_not_matter() -> None:
    assert OFFICE.business_day_close(at(2026, 3, 14, 9), 0, FIFTEEN) == at(2026, 3, 16, 17)


def test_short_and_long_days_each_count_as_one_day() -> None:
    # Monday 09-17, Tuesday 09-10, Wednesday 08-20.
    uneven = parse_calendar(
        {
            "timezone": "America/New_York",
            "hours": {"mon": ["09:00-17:00"], "tue": ["09:00-10:00"], "wed": ["08:00-20:00"]},
        }
    )
    assert uneven.business_day_close(at(2026, 3, 9, 10), 1) == at(2026, 3, 10, 10)
    assert uneven.business_day_close(at(2026, 3, 9, 10), 2) == at(2026, 3, 11, 20)


def test_many_business_days_match_counting_them_one_by_one() -> None:
    closed = set(holidays.country_holidays("US", subdiv="NY", years=range(2026, 2029)))
    closed.add(date(2026, 12, 24))
    day, counted = date(2026, 3, 9), 0
    while counted < 500:
        day += timedelta(days=1)
        counted += day.weekday() < 5 and day not in closed
    due = OFFICE.business_day_close(at(2026, 3, 9, 10), 500)
    assert due == at(day.year, day.month, day.day, 17)


def test_it_refuses_a_negative_or_fractional_number_of_days() -> None:
    with pytest.raises(CalendarError, match=r"^business_days: must not be negative"):
        OFFICE.business_day_close(at(2026, 3, 9, 10), -1)
    with pytest.raises(CalendarError, match=r"^business_days: expected a whole number"):
        OFFICE.business_day_close(at(2026, 3, 9, 10), 1.5)  # type: ignore[arg-type]


def test_it_refuses_a_cutoff_with_a_zone() -> None:
    with pytest.raises(CalendarError, match=r"^cutoff: "):
        OFFICE.business_day_close(at(2026, 3, 9, 10), 0, time(15, tzinfo=at(2026, 1, 1).tzinfo))
