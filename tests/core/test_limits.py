"""Out-of-range input gets a one-line reason and a non-zero exit, never "internal error":
over-long text (PostgreSQL would refuse it, SQLite would keep it whole), dates far from now,
and numbers that are not finite."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connections

from operant.accounts.models import Client
from operant.cli import main
from operant.core.errors import UserError
from operant.core.limits import check_lengths, check_year, finite_number


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run the `operant` command in this process; return its one line of error."""
    with pytest.MonkeyPatch.context() as patch:
        # A command closes every connection when it ends; here that would be the test's own.
        patch.setattr(connections, "close_all", lambda: None)
        with pytest.raises(SystemExit) as exited:
            main(["operant", *argv])
    assert exited.value.code not in (0, None)
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "internal error" not in err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (
            ["sla", "target", "--class", "general", "--received", "9999-12-31T23:59"],
            "--received: the year must be from 1900 to 2999, got 9999",
        ),
        (
            [
                "calendar",
                "elapsed",
                "--calendar",
                "CALENDAR",
                "--start",
                "0001-01-01T00:00",
                "--end",
                "2026-01-01T00:00",
            ],
            "--start: the year must be from 1900 to 2999, got 1",
        ),
        (
            ["statements", "build", "--client", "acme-dental", "--month", "0001-01"],
            "'0001-01': the year must be from 1900 to 2999",
        ),
        (
            ["allowance", "--client", "acme-dental", "--month", "9999-12"],
            "'9999-12': the year must be from 1900 to 2999",
        ),
        (["worker", "--idle-sleep", "nan"], "--idle-sleep: must be more than 0 and at most 3600"),
        (["worker", "--idle-sleep", "inf"], "--idle-sleep: must be more than 0 and at most 3600"),
        (["worker", "--idle-sleep", "-1"], "--idle-sleep: must be more than 0"),
        (["worker", "--idle-sleep", "soon"], "--idle-sleep: expected a number, got 'soon'"),
        (
            ["clients", "add", "--name", "x" * 5000, "--package", "growth"],
            "a client name is at most 200 characters, got 5000",
        ),
        (
            [
                "clients",
                "add",
                "--name",
                "Long Mail",
                "--package",
                "growth",
                "--email",
                "a" * 64 + "@" + ".".join(["b" * 60] * 4) + ".example",
            ],
            "an email address is at most 254 characters",
        ),
    ],
    ids=[
        "sla-year-9999",
        "calendar-year-1",
        "statement-month-1",
        "allowance-month-9999",
        "sleep-nan",
        "sleep-inf",
        "sleep-negative",
        "sleep-word",
        "client-name",
        "client-email",
    ],
)
@pytest.mark.django_db
def test_the_command_gives_its_reason_in_one_line(
    capsys, client_a, shipped_calendar, argv, reason
) -> None:
    argv = [shipped_calendar if a == "CALENDAR" else a for a in argv]
    assert reason in run(capsys, *argv)
    assert Client.objects.count() == 1  # nothing half-written


@pytest.fixture
def shipped_calendar() -> str:
    from django.conf import settings

    # The shipped policy holds a [calendar] table, which is all `calendar` reads.
    return str(settings.SHIPPED_POLICY)


def test_lengths_follow_the_model_fields() -> None:
    check_lengths(Client, name="x" * 200)
    with pytest.raises(UserError, match="a client name is at most 200 characters, got 201"):
        check_lengths(Client, name="x" * 201)
    with pytest.raises(UserError, match="a business name is at most 200"):
        check_lengths(Client, what="business name", name="x" * 201, slug=None)


@pytest.mark.django_db
def test_an_address_too_long_to_sign_in_with_is_refused(password) -> None:
    from operant.accounts.errors import InvalidEmail
    from operant.accounts.services import agent_create

    address = "a" * 60 + "@" + "b" * 50 + "." + "c" * 50 + ".example"
    message = f"a sign-in address is at most 150 characters, got {len(address)}"
    with pytest.raises(InvalidEmail, match=message):
        agent_create(email=address, name="Long", password=password, role="agent")


def test_years_are_bounded() -> None:
    check_year(dt.date(1900, 1, 1), "d")
    check_year(dt.datetime(2999, 12, 31, 23, 59), "d")
    with pytest.raises(UserError, match="d: the year must be from 1900 to 2999, got 3000"):
        check_year(dt.date(3000, 1, 1), "d")


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "0", "3600.5", "", "1e400"])
def test_numbers_must_be_finite_and_in_range(text: str) -> None:
    with pytest.raises(UserError, match="--n"):
        finite_number(text, "--n", minimum=0, maximum=3600)


def test_a_finite_number_in_range_is_returned() -> None:
    assert finite_number("0.25", "--n", minimum=0, maximum=3600) == 0.25
    assert finite_number(" 3600 ", "--n", minimum=0, maximum=3600) == 3600.0
