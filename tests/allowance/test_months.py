"""Months on the client's calendar: pure arithmetic."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from operant.allowance.months import (
    add_months,
    month_begins_at,
    month_containing,
    month_ends_at,
    months_back,
    parse_month,
)

UTC = dt.UTC


@pytest.mark.parametrize(
    ("zone", "instant", "month"),
    [
        # 04:59 UTC on 1 January is still New Year's Eve in New York (UTC-5)...
        ("America/New_York", dt.datetime(2027, 1, 1, 4, 59, tzinfo=UTC), dt.date(2026, 12, 1)),
        ("America/New_York", dt.datetime(2027, 1, 1, 5, 0, tzinfo=UTC), dt.date(2027, 1, 1)),
        # ...while in Sydney (UTC+11 in summer) it has been January since 13:00 UTC on the 31st.
        ("Australia/Sydney", dt.datetime(2026, 12, 31, 12, 59, tzinfo=UTC), dt.date(2026, 12, 1)),
        ("Australia/Sydney", dt.datetime(2026, 12, 31, 13, 0, tzinfo=UTC), dt.date(2027, 1, 1)),
        # Kolkata is UTC+5:30 all year: the half hour matters.
        ("Asia/Kolkata", dt.datetime(2026, 11, 30, 18, 29, tzinfo=UTC), dt.date(2026, 11, 1)),
        ("Asia/Kolkata", dt.datetime(2026, 11, 30, 18, 30, tzinfo=UTC), dt.date(2026, 12, 1)),
        # London is on UTC in winter and on BST (UTC+1) on 1 June.
        ("Europe/London", dt.datetime(2026, 5, 31, 22, 59, tzinfo=UTC), dt.date(2026, 5, 1)),
        ("Europe/London", dt.datetime(2026, 5, 31, 23, 0, tzinfo=UTC), dt.date(2026, 6, 1)),
    ],
)
def test_an_instant_belongs_to_the_month_of_the_clients_wall_clock(zone, instant, month):
    assert month_containing(instant, ZoneInfo(zone)) == month


def test_a_date_is_already_on_the_clients_calendar():
    assert month_containing(dt.date(2026, 3, 31), ZoneInfo("Asia/Kolkata")) == dt.date(2026, 3, 1)


def test_a_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="naive"):
        month_containing(dt.datetime(2026, 3, 1, 12, 0), ZoneInfo("Europe/London"))


def test_month_bounds_follow_daylight_saving_time():
    london = ZoneInfo("Europe/London")
    # March 2026 starts on GMT and ends on BST (clocks went forward on Sunday 29 March).
    assert month_begins_at(dt.date(2026, 3, 1), london) == dt.datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
    assert month_ends_at(dt.date(2026, 3, 1), london) == dt.datetime(2026, 3, 31, 23, 0, tzinfo=UTC)
    sydney = ZoneInfo("Australia/Sydney")
    # Sydney leaves daylight saving on Sunday 5 April 2026: April starts on AEDT (UTC+11).
    assert month_begins_at(dt.date(2026, 4, 1), sydney) == dt.datetime(
        2026, 3, 31, 13, 0, tzinfo=UTC
    )
    assert month_ends_at(dt.date(2026, 4, 1), sydney) == dt.datetime(2026, 4, 30, 14, 0, tzinfo=UTC)


def test_add_months_crosses_years_both_ways():
    assert add_months(dt.date(2026, 12, 1), 1) == dt.date(2027, 1, 1)
    assert add_months(dt.date(2026, 1, 1), -1) == dt.date(2025, 12, 1)
    assert add_months(dt.date(2026, 5, 1), -17) == dt.date(2024, 12, 1)
    assert months_back(dt.date(2026, 2, 1), 3) == [
        dt.date(2026, 2, 1),
        dt.date(2026, 1, 1),
        dt.date(2025, 12, 1),
    ]


def test_parse_month_reads_year_and_month_only():
    assert parse_month("2026-07") == dt.date(2026, 7, 1)
    for bad in ("2026-13", "2026/07", "July", "2026-07-01"):
        with pytest.raises(ValueError, match="like 2026-12"):
            parse_month(bad)
