"""Reading calendar tables and files: every mistake names its key."""

from __future__ import annotations

import tomllib
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest

import operant.policy
from operant.calendar import CalendarError, load_calendar_file, parse_calendar

GOOD_FILE = """\
# Operant's office
[calendar]
timezone = "America/New_York"
hours.mon = ["09:00-12:00", "13:00-17:00"]
hours.fri = ["09:00-17:00"]
holidays.country = "US"
holidays.subdivision = "NY"
closed = ["2026-12-24", 2026-12-31]
"""


def table(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"timezone": "America/New_York", "hours": {"mon": ["09:00-17:00"]}}
    base.update(changes)
    return base


def refused(data: Any) -> CalendarError:
    with pytest.raises(CalendarError) as caught:
        parse_calendar(data)
    return caught.value


def test_it_reads_every_key_of_a_table() -> None:
    calendar = parse_calendar(tomllib.loads(GOOD_FILE)["calendar"])
    assert calendar.timezone.key == "America/New_York"
    assert calendar.hours[0] == ((540, 720), (780, 1020))
    assert calendar.hours[4] == ((540, 1020),)
    assert calendar.hours[1] == ()
    assert (calendar.holiday_country, calendar.holiday_subdivision) == ("US", "NY")
    assert calendar.closed == {date(2026, 12, 24), date(2026, 12, 31)}


def test_it_reads_the_calendar_embedded_in_the_shipped_policy() -> None:
    policy = Path(operant.policy.__file__).with_name("operant.toml")
    calendar = parse_calendar(tomllib.loads(policy.read_text())["calendar"])
    assert calendar.close_of_day(date(2026, 3, 9)) is not None


def test_it_accepts_intervals_out_of_order_and_touching() -> None:
    calendar = parse_calendar(table(hours={"tue": ["13:00-17:00", "9:00-13:00", "17:00-24:00"]}))
    assert calendar.hours[1] == ((540, 780), (780, 1020), (1020, 1440))


def test_it_accepts_an_empty_day_as_closed() -> None:
    calendar = parse_calendar(table(hours={"mon": ["09:00-17:00"], "sat": []}))
    assert calendar.hours[5] == ()


def test_an_unknown_timezone_names_the_key() -> None:
    error = refused(table(timezone="Mars/Base"))
    assert str(error) == 'calendar.timezone: unknown timezone "Mars/Base"'
    assert error.key == "calendar.timezone"


@pytest.mark.parametrize("value", ["", "/etc/passwd", "../UTC"])
def test_a_malformed_timezone_name_is_unknown(value: str) -> None:
    assert str(refused(table(timezone=value))).startswith("calendar.timezone: unknown timezone")


def test_a_missing_timezone_names_the_key() -> None:
    data = table()
    del data["timezone"]
    assert str(refused(data)).startswith("calendar.timezone: missing")


def test_a_timezone_that_is_not_a_string_names_the_key() -> None:
    assert str(refused(table(timezone=5))).startswith("calendar.timezone: expected")


@pytest.mark.parametrize("text", ["9-5", "09:00", "09:00-17", "9am-5pm", "09:0-17:00", ""])
def test_a_malformed_interval_names_the_key_and_index(text: str) -> None:
    error = refused(table(hours={"mon": ["08:00-08:30", text]}))
    assert str(error) == f'calendar.hours.mon[1]: "{text}" is not an interval like "09:00-17:00"'
    assert error.key == "calendar.hours.mon"
    assert error.path == "calendar.hours.mon[1]"


@pytest.mark.parametrize("text", ["25:00-26:00", "09:60-10:00", "24:00-24:00", "10:00-24:30"])
def test_an_impossible_time_names_the_key(text: str) -> None:
    message = str(refused(table(hours={"wed": [text]})))
    assert message.startswith(f'calendar.hours.wed[0]: "{text}" has an impossible time')


def test_an_interval_ending_before_it_starts_names_the_key() -> None:
    error = refused(table(hours={"mon": ["09:00-12:00", "13:00-12:00"]}))
    assert str(error) == 'calendar.hours.mon[1]: "13:00-12:00" ends before it starts'


def test_an_empty_interval_names_the_key() -> None:
    error = refused(table(hours={"mon": ["09:00-09:00"]}))
    assert str(error) == 'calendar.hours.mon[0]: "09:00-09:00" is empty (it ends when it starts)'


def test_overlapping_intervals_name_the_later_one() -> None:
    error = refused(table(hours={"thu": ["09:00-12:00", "11:00-14:00"]}))
    assert str(error) == 'calendar.hours.thu[1]: "11:00-14:00" overlaps "09:00-12:00"'
    error = refused(table(hours={"thu": ["11:00-14:00", "09:00-12:00"]}))
    assert str(error) == 'calendar.hours.thu[0]: "11:00-14:00" overlaps "09:00-12:00"'


def test_an_interval_that_is_not_a_string_names_the_key() -> None:
    assert str(refused(table(hours={"mon": [9]}))).startswith("calendar.hours.mon[0]: expected")


def test_a_day_that_is_not_a_list_names_the_key() -> None:
    message = str(refused(table(hours={"mon": "09:00-17:00"})))
    assert message.startswith("calendar.hours.mon: expected a list of intervals")


def test_an_unknown_weekday_names_the_key() -> None:
    error = refused(table(hours={"monday": ["09:00-17:00"]}))
    assert str(error).startswith("calendar.hours.monday: unknown weekday")
    assert error.key == "calendar.hours.monday"


def test_hours_that_are_not_a_table_name_the_key() -> None:
    assert str(refused(table(hours=["09:00-17:00"]))).startswith("calendar.hours: expected")


@pytest.mark.parametrize("hours", [{}, {"mon": [], "sun": []}, None])
def test_a_calendar_that_is_never_open_names_the_key(hours: Any) -> None:
    data = table(hours=hours)
    if hours is None:
        del data["hours"]
    error = refused(data)
    assert str(error) == "calendar.hours: the calendar is never open (no opening hours on any day)"


def test_an_unknown_key_names_the_key() -> None:
    error = refused(table(timezon="UTC"))
    assert str(error).startswith("calendar.timezon: unknown key")
    assert error.key == "calendar.timezon"


def test_an_unknown_holidays_key_names_the_key() -> None:
    message = str(refused(table(holidays={"country": "US", "region": "NY"})))
    assert message.startswith("calendar.holidays.region: unknown key")


def test_an_unknown_holiday_country_names_the_key() -> None:
    error = refused(table(holidays={"country": "XX"}))
    assert str(error).startswith('calendar.holidays.country: unknown country "XX"')


def test_an_unknown_holiday_subdivision_names_the_key() -> None:
    error = refused(table(holidays={"country": "US", "subdivision": "ZZ"}))
    assert str(error) == 'calendar.holidays.subdivision: unknown subdivision "ZZ" for US'


def test_a_subdivision_without_a_country_names_the_key() -> None:
    message = str(refused(table(holidays={"subdivision": "NY"})))
    assert message.startswith("calendar.holidays.country: missing")


def test_holidays_that_are_not_a_table_name_the_key() -> None:
    assert str(refused(table(holidays="US"))).startswith("calendar.holidays: expected a table")


@pytest.mark.parametrize("value", ["2026-13-01", "2026-02-30", "24/12/2026", "20261224", "soon"])
def test_a_bad_closed_date_names_the_key_and_index(value: str) -> None:
    error = refused(table(closed=["2026-12-24", value]))
    assert str(error) == f'calendar.closed[1]: "{value}" is not a date (expected YYYY-MM-DD)'
    assert error.key == "calendar.closed"


def test_a_closed_date_and_time_names_the_key() -> None:
    message = str(refused(table(closed=[datetime(2026, 12, 24, 9)])))
    assert message.startswith("calendar.closed[0]: 2026-12-24T09:00:00 is a date and time")


def test_closed_dates_that_are_not_a_list_name_the_key() -> None:
    assert str(refused(table(closed="2026-12-24"))).startswith("calendar.closed: expected a list")
    assert str(refused(table(closed=[time(9)]))).startswith("calendar.closed[0]: expected a date")


def test_a_table_that_is_not_a_mapping_is_refused() -> None:
    assert str(refused(["timezone"])).startswith("calendar: expected a table")


def test_the_key_prefix_follows_where_the_table_sits() -> None:
    with pytest.raises(CalendarError, match=r"^office\.timezone: unknown timezone"):
        parse_calendar(table(timezone="Nowhere/Land"), key="office")


def test_a_calendar_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "office.toml"
    path.write_text(GOOD_FILE)
    assert load_calendar_file(path) == parse_calendar(tomllib.loads(GOOD_FILE)["calendar"])
    assert load_calendar_file(str(path)).timezone.key == "America/New_York"


def test_a_missing_file_says_so(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    with pytest.raises(CalendarError) as caught:
        load_calendar_file(path)
    assert str(caught.value) == f"{path}: calendar: the calendar file does not exist"


def test_a_toml_syntax_error_gives_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('[calendar]\ntimezone = "UTC"\nhours.mon ["09:00-17:00"]\nclosed = []\n')
    with pytest.raises(
        CalendarError, match=r"invalid TOML: .*\(at line 3, column \d+\)$"
    ) as caught:
        load_calendar_file(path)
    assert str(caught.value).startswith(f"{path}: calendar: invalid TOML")


def test_a_toml_error_at_the_end_of_the_file_gives_the_last_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('[calendar]\ntimezone = "UTC"\nhours.mon = ["09:00-17:00"\n')
    with pytest.raises(CalendarError, match=r"invalid TOML: Unclosed array \(at the end, line 3\)"):
        load_calendar_file(path)


def test_a_file_without_a_calendar_table_says_so(tmp_path: Path) -> None:
    path = tmp_path / "other.toml"
    path.write_text('[policy]\nversion = "1"\n')
    with pytest.raises(CalendarError, match=r"no \[calendar\] table"):
        load_calendar_file(path)


def test_a_bad_value_in_a_file_names_the_file_line_and_key(tmp_path: Path) -> None:
    path = tmp_path / "office.toml"
    path.write_text(GOOD_FILE.replace('"13:00-17:00"', '"13:00-12:00"'))
    with pytest.raises(CalendarError) as caught:
        load_calendar_file(path)
    assert str(caught.value) == (
        f'{path}, line 4: calendar.hours.mon[1]: "13:00-12:00" ends before it starts'
    )
    assert caught.value.key == "calendar.hours.mon"


def test_a_bad_value_under_a_subtable_header_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "office.toml"
    path.write_text(
        '[calendar]\ntimezone = "UTC"\n\n[calendar.hours]\nmon = ["09:00-17:00"]\ntue = ["9-5"]\n'
    )
    with pytest.raises(CalendarError, match=r", line 6: calendar\.hours\.tue\[0\]: "):
        load_calendar_file(path)
