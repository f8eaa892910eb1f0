"""`operant calendar due|elapsed`: output format and one-line errors."""

from __future__ import annotations

import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

CALENDAR = """\
[calendar]
timezone = "America/New_York"
hours.mon = ["09:00-12:00", "13:00-17:00"]
hours.tue = ["09:00-12:00", "13:00-17:00"]
hours.wed = ["09:00-12:00", "13:00-17:00"]
hours.thu = ["09:00-12:00", "13:00-17:00"]
hours.fri = ["09:00-12:00", "13:00-17:00"]
holidays.country = "US"
holidays.subdivision = "NY"
closed = ["2026-12-24"]
"""
OPERANT = Path(sys.executable).with_name("operant")


@pytest.fixture
def calendar_file(tmp_path: Path) -> str:
    path = tmp_path / "office.toml"
    path.write_text(CALENDAR)
    return str(path)


def run(*args: str) -> str:
    out = StringIO()
    call_command("calendar", *args, stdout=out)
    return out.getvalue()


def due(calendar: str, start: str, hours: str) -> str:
    return run("due", "--calendar", calendar, "--start", start, "--business-hours", hours)


def elapsed(calendar: str, start: str, end: str) -> str:
    return run("elapsed", "--calendar", calendar, "--start", start, "--end", end)


def operant(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed `operant` program, as a person or a script runs it."""
    return subprocess.run(
        [str(OPERANT), *args], capture_output=True, text=True, cwd=cwd, check=False
    )


def test_due_prints_the_instant_with_its_offset_in_the_calendar_zone(calendar_file: str) -> None:
    assert due(calendar_file, "2026-03-06T16:00:00-05:00", "2.5") == "2026-03-09T10:30:00-04:00\n"


def test_due_reads_a_start_without_offset_in_the_calendar_zone(calendar_file: str) -> None:
    assert due(calendar_file, "2026-11-25T16:00", "2") == "2026-11-27T10:00:00-05:00\n"


def test_due_converts_a_start_in_another_zone(calendar_file: str) -> None:
    assert due(calendar_file, "2026-03-09T14:00:00Z", "0.25") == "2026-03-09T10:15:00-04:00\n"


def test_due_with_zero_hours_is_the_next_opening(calendar_file: str) -> None:
    assert due(calendar_file, "2026-03-07T10:00", "0") == "2026-03-09T09:00:00-04:00\n"


def test_due_at_closing_time_is_that_closing_time(calendar_file: str) -> None:
    assert due(calendar_file, "2026-03-09T16:00", "1") == "2026-03-09T17:00:00-04:00\n"


def test_elapsed_prints_whole_business_seconds(calendar_file: str) -> None:
    assert elapsed(calendar_file, "2026-03-06T16:00", "2026-03-09T10:30:00.9-04:00") == "9000\n"


def test_elapsed_is_negative_when_the_end_comes_first(calendar_file: str) -> None:
    assert elapsed(calendar_file, "2026-03-09T10:30", "2026-03-06T16:00") == "-9000\n"


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("-1", "--business-hours: must not be negative, got -1"),
        ("soon", "--business-hours: 'soon' is not a number of hours"),
        ("nan", "--business-hours: 'nan' is not a finite number of hours"),
        ("1e300", "--business-hours: 1e300 is too large"),
    ],
)
def test_due_refuses_bad_hours(calendar_file: str, hours: str, message: str) -> None:
    with pytest.raises(CommandError) as caught:
        due(calendar_file, "2026-03-09T10:00", hours)
    assert str(caught.value) == message


def test_a_bad_start_is_one_clear_line(calendar_file: str) -> None:
    with pytest.raises(CommandError, match=r"^--start: 'monday 9am' is not an ISO 8601"):
        due(calendar_file, "monday 9am", "1")


def test_a_bad_end_is_one_clear_line(calendar_file: str) -> None:
    with pytest.raises(CommandError, match=r"^--end: '2026-02-30T10:00' is not an ISO 8601"):
        elapsed(calendar_file, "2026-03-09", "2026-02-30T10:00")


def test_a_missing_calendar_file_is_named(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.toml")
    with pytest.raises(CommandError, match=r"nope\.toml: calendar: the calendar file does not"):
        due(missing, "2026-03-09T10:00", "1")


def test_a_bad_calendar_file_names_the_line_and_key(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(CALENDAR.replace("America/New_York", "Mars/Base"))
    with pytest.raises(CommandError, match=r'line 2: calendar\.timezone: unknown timezone "Mars'):
        due(str(path), "2026-03-09T10:00", "1")


def test_an_answer_past_the_supported_years_is_one_clear_line(calendar_file: str) -> None:
    with pytest.raises(CommandError, match=r"^.*only dates in the years 2-9997 are supported"):
        due(calendar_file, "2026-03-09T10:00", "1e8")


def test_an_action_is_required() -> None:
    with pytest.raises(CommandError):
        run()


def test_the_real_command_prints_the_due_instant(calendar_file: str, tmp_path: Path) -> None:
    done = operant(
        "calendar", "due", "--calendar", calendar_file,
        "--start", "2026-03-06T16:00", "--business-hours", "2.5",
        cwd=tmp_path,
    )  # fmt: skip
    assert (done.returncode, done.stdout, done.stderr) == (0, "2026-03-09T10:30:00-04:00\n", "")


@pytest.mark.parametrize(
    "args",
    [
        ("due", "--start", "yesterday-ish", "--business-hours", "1"),
        ("due", "--start", "2026-03-09T10:00", "--business-hours", "-2"),
        ("elapsed", "--start", "2026-03-09T10:00", "--end", "2026-13-01"),
    ],
)
def test_the_real_command_reports_bad_input_in_one_line(
    calendar_file: str, tmp_path: Path, args: tuple[str, ...]
) -> None:
    action, *rest = args
    done = operant("calendar", action, "--calendar", calendar_file, *rest, cwd=tmp_path)
    assert done.returncode != 0
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("CommandError: --")
    assert "Traceback" not in done.stderr
