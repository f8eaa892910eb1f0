"""Business time across clock changes: real elapsed time, wall-time intervals."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests.calendar.support import ALL_WEEK, NY, SYDNEY, at, hours, make_calendar

# New York: 2026-03-08 02:00 EST -> 03:00 EDT; 2026-11-01 02:00 EDT -> 01:00 EST.
# Sydney: 2026-04-05 03:00 AEDT -> 02:00 AEST; 2026-10-04 02:00 AEST -> 03:00 AEDT.
ROUND_THE_CLOCK = make_calendar(["00:00-24:00"], days=ALL_WEEK)
SYDNEY_CLOCK = make_calendar(["00:00-24:00"], days=ALL_WEEK, timezone="Australia/Sydney")
OFFICE = make_calendar()
SYDNEY_OFFICE = make_calendar(timezone="Australia/Sydney")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_it_counts_25_hours_on_fall_back_day() -> None:
    assert ROUND_THE_CLOCK.elapsed(at(2026, 11, 1), at(2026, 11, 2)) == hours(25)


def test_it_counts_23_hours_on_spring_forward_day() -> None:
    assert ROUND_THE_CLOCK.elapsed(at(2026, 3, 8), at(2026, 3, 9)) == hours(23)


def test_a_week_across_a_clock_change_holds_its_real_hours() -> None:
    assert ROUND_THE_CLOCK.elapsed(at(2026, 3, 2), at(2026, 3, 9)) == hours(167)
    assert ROUND_THE_CLOCK.elapsed(at(2026, 10, 26), at(2026, 11, 2)) == hours(169)


def test_a_duration_across_spring_forward_is_real_elapsed_time() -> None:
    due = ROUND_THE_CLOCK.add(at(2026, 3, 8, 1), hours(2))
    assert due == utc(2026, 3, 8, 8)
    assert due.isoformat() == "2026-03-08T04:00:00-04:00"


def test_a_duration_across_fall_back_is_real_elapsed_time() -> None:
    due = ROUND_THE_CLOCK.add(at(2026, 11, 1, 0, 30), hours(2))
    # Python compares an ambiguous local time with another zone as unequal (PEP 495), so
    # compare instants in UTC.
    assert due.astimezone(UTC) == utc(2026, 11, 1, 6, 30)
    assert due.isoformat() == "2026-11-01T01:30:00-05:00"
    assert due.fold == 1  # the second 01:30 of the day


def test_office_hours_keep_their_wall_times_across_spring_forward() -> None:
    due = OFFICE.add(at(2026, 3, 6, 16), hours(2))
    assert due.isoformat() == "2026-03-09T10:00:00-04:00"
    assert OFFICE.elapsed(at(2026, 3, 6, 9), at(2026, 3, 9, 17)) == hours(16)


def test_office_hours_keep_their_wall_times_across_fall_back() -> None:
    due = OFFICE.add(at(2026, 10, 30, 16), hours(2))
    assert due.isoformat() == "2026-11-02T10:00:00-05:00"


def test_a_working_week_across_a_clock_change_is_five_days_of_eight_hours() -> None:
    assert OFFICE.add(at(2026, 3, 2, 10), hours(40)) == at(2026, 3, 9, 10)
    assert OFFICE.elapsed(at(2026, 10, 26, 10), at(2026, 11, 2, 10)) == hours(40)


def test_hours_spanning_the_change_count_real_time() -> None:
    night = make_calendar(["01:00-04:00"], days=["sun"])
    assert night.elapsed(at(2026, 3, 8), at(2026, 3, 9)) == hours(2)
    assert night.elapsed(at(2026, 11, 1), at(2026, 11, 2)) == hours(4)
    assert night.elapsed(at(2026, 3, 15), at(2026, 3, 16)) == hours(3)


def test_a_nonexistent_wall_time_is_read_with_the_offset_before_the_change() -> None:
    gap = make_calendar(["02:30-05:00"], days=["sun"])
    # 02:30 does not exist on 2026-03-08: read as 02:30 EST, which is 03:30 EDT.
    assert gap.next_open(at(2026, 3, 8)) == utc(2026, 3, 8, 7, 30)
    assert gap.next_open(at(2026, 3, 8)).isoformat() == "2026-03-08T03:30:00-04:00"
    assert gap.elapsed(at(2026, 3, 8), at(2026, 3, 9)) == hours(1.5)


def test_an_ambiguous_wall_time_means_its_first_occurrence() -> None:
    twice = make_calendar(["01:30-03:00"], days=["sun"])
    # 01:30 happens twice on 2026-11-01: the calendar opens at the first (EDT) one.
    assert twice.next_open(at(2026, 11, 1)).astimezone(UTC) == utc(2026, 11, 1, 5, 30)
    assert twice.close_of_day(date(2026, 11, 1)) == utc(2026, 11, 1, 8)
    assert twice.elapsed(at(2026, 11, 1), at(2026, 11, 2)) == hours(2.5)


def test_intervals_the_gap_makes_overlap_are_open_once() -> None:
    overlapping = make_calendar(["01:00-02:30", "03:00-04:00"], days=["sun"])
    # 01:00 EST .. 02:30 "EST" (= 03:30 EDT) and 03:00 EDT .. 04:00 EDT: open 06:00-08:00 UTC.
    assert overlapping.open_intervals(date(2026, 3, 8)) == [
        (utc(2026, 3, 8, 6), utc(2026, 3, 8, 8))
    ]
    assert overlapping.elapsed(at(2026, 3, 8), at(2026, 3, 9)) == hours(2)


def test_hours_inside_the_gap_leave_no_business_day() -> None:
    skipped = make_calendar(["02:00-03:00"], days=["sun"])
    assert not skipped.is_business_day(date(2026, 3, 8))
    assert skipped.is_business_day(date(2026, 3, 15))
    assert skipped.next_open(at(2026, 3, 7)) == at(2026, 3, 15, 2)
    assert skipped.business_day_close(at(2026, 3, 7), 0) == at(2026, 3, 15, 3)


def test_sydney_counts_25_hours_when_clocks_go_back_in_april() -> None:
    day = SYDNEY_CLOCK.elapsed(at(2026, 4, 5, tz=SYDNEY), at(2026, 4, 6, tz=SYDNEY))
    assert day == hours(25)


def test_sydney_counts_23_hours_when_clocks_go_forward_in_october() -> None:
    day = SYDNEY_CLOCK.elapsed(at(2026, 10, 4, tz=SYDNEY), at(2026, 10, 5, tz=SYDNEY))
    assert day == hours(23)


def test_sydney_office_hours_keep_their_wall_times_across_the_change() -> None:
    due = SYDNEY_OFFICE.add(at(2026, 10, 2, 16, tz=SYDNEY), hours(2))
    assert due.isoformat() == "2026-10-05T10:00:00+11:00"
    due = SYDNEY_OFFICE.add(at(2026, 4, 3, 16, tz=SYDNEY), hours(2))
    assert due.isoformat() == "2026-04-06T10:00:00+10:00"


def test_business_day_close_across_a_clock_change_is_the_local_close() -> None:
    assert OFFICE.business_day_close(at(2026, 3, 6, 10), 1).isoformat() == (
        "2026-03-09T17:00:00-04:00"
    )
    assert ROUND_THE_CLOCK.business_day_close(at(2026, 11, 1, 10), 0) == at(2026, 11, 2)


def test_answers_use_the_calendar_zone_for_inputs_in_another() -> None:
    start = at(2026, 3, 6, 21, tz=UTC)  # 16:00 in New York
    assert OFFICE.add(start, hours(2)).tzinfo is NY
    assert OFFICE.add(start, hours(2)) == at(2026, 3, 9, 10)
