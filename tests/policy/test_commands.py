"""`operant policy ...` and `operant sla target ...`: the stable command-line contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# ---- policy check / show / render -----------------------------------------------------------


def test_check_accepts_a_good_file(policy_file: Callable[..., Path]) -> None:
    assert run("policy", "check", str(policy_file())) == "OK 2026-03-13 (effective 2026-03-13)\n"


def test_check_without_a_file_checks_the_configured_policy() -> None:
    assert run("policy", "check").startswith("OK 2026-03-13")


def test_check_reports_a_bad_file_in_one_line(policy_file: Callable[..., Path]) -> None:
    path = policy_file(("grace_days = 7", "grace_days = -7"))
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "-7" in text)
    with pytest.raises(CommandError, match=rf"^{path}:{line}: suspension.grace_days: must be"):
        call_command("policy", "check", str(path))


def test_check_reports_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such policy file"):
        call_command("policy", "check", str(tmp_path / "nope.toml"))


def test_show_summarises_every_term() -> None:
    text = run("policy", "show")
    for line in [
        "version 2026-03-13, effective 2026-03-13",
        "contact.support_email",
        "calendar.timezone",
        "calendar.holidays.subdivision",
        "response.classes.general",
        "target 1 business day (business_days = 1), at the latest 2 business days",
        "response.classes.adjustment",
        "(none: uses general)",
        "allowance.minutes_per_month",
        "quotes.hourly_rate",
        "out_of_scope[6].key",
        "maintenance.reminder_lead_hours",
        "vendors[1].status_url",
        "suspension.reactivation_fee",
    ]:
        assert line in text, line


def test_show_json_has_the_terms_and_the_derived_classes(
    policy_file: Callable[..., Path],
) -> None:
    path = policy_file(("validity_days = 30", "validity_days = 14"))
    data = json.loads(run("policy", "show", "--policy", str(path), "--json"))
    assert data["version"] == "2026-03-13"
    assert len(data["sha256"]) == 64
    assert data["terms"]["quotes"] == {
        "hourly_rate": "125.00",
        "currency": "USD",
        "validity_days": 14,
    }
    assert data["terms"]["calendar"]["timezone"] == "America/New_York"
    assert data["request_classes"]["not_covered"]["label"] == "General inquiries"
    assert data["request_classes"]["outage"]["target"] == {"business_days": 0, "cutoff": "15:00"}


@pytest.mark.parametrize(("fmt", "start"), [("md", "# Support"), ("html", "<!doctype html>")])
def test_render_prints_the_page(fmt: str, start: str) -> None:
    assert run("policy", "render", "--format", fmt).startswith(start)


def test_render_uses_the_file_given(policy_file: Callable[..., Path]) -> None:
    path = policy_file(("minutes_per_month = 30", "minutes_per_month = 20"))
    page = run("policy", "render", "--policy", str(path), "--format", "md")
    assert "(up to 20 minutes per month)" in page


def test_the_configured_policy_is_read_at_call_time(policy_file: Callable[..., Path]) -> None:
    path = policy_file(('version = "2026-03-13"', 'version = "2026-09"'))
    with override_settings(OPERANT_POLICY=str(path)):
        assert run("policy", "check").startswith("OK 2026-09 ")


def test_an_action_is_required() -> None:
    with pytest.raises(CommandError):
        call_command("policy")


# ---- sla target ---------------------------------------------------------------------------------


def test_sla_target_prints_target_and_limit_with_offsets() -> None:
    out = run("sla", "target", "--class", "general", "--received", "2026-11-25T10:00:00-05:00")
    assert out == "target: 2026-11-27T17:00:00-05:00\nlimit: 2026-11-30T17:00:00-05:00\n"


def test_sla_target_reads_a_time_without_offset_in_the_calendar_zone() -> None:
    out = run("sla", "target", "--class", "outage", "--received", "2026-03-16T15:30")
    assert out == "target: 2026-03-17T17:00:00-04:00\nlimit: 2026-03-18T17:00:00-04:00\n"


def test_sla_target_converts_a_utc_time_into_the_calendar_zone() -> None:
    out = run("sla", "target", "--class", "outage", "--received", "2026-03-16T14:00:00Z")
    assert out.splitlines()[0] == "target: 2026-03-16T17:00:00-04:00"


def test_sla_target_json(policy_file: Callable[..., Path]) -> None:
    out = run(
        "sla", "target", "--policy", str(policy_file()), "--class", "general",
        "--received", "2026-03-20T16:00", "--json",
    )  # fmt: skip
    assert json.loads(out) == {
        "class": "general",
        "received": "2026-03-20T16:00:00-04:00",
        "target_at": "2026-03-23T17:00:00-04:00",
        "limit_at": "2026-03-24T17:00:00-04:00",
        "policy_version": "2026-03-13",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--class", "vip", "--received", "2026-03-16T10:00"], "unknown request class 'vip'"),
        (["--class", "general", "--received", "yesterday"], "--received: not an ISO 8601 time"),
        (
            ["--class", "general", "--received", "2026-03-16T10:00", "--policy", "/nope.toml"],
            "/nope.toml: no such policy file",
        ),
    ],
)
def test_sla_target_user_errors_are_one_line(args: list[str], message: str) -> None:
    with pytest.raises(CommandError) as caught:
        call_command("sla", "target", *args)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


# ---- the real executable ------------------------------------------------------------------------


def operant(*args: str) -> subprocess.CompletedProcess[str]:
    executable = Path(sys.executable).with_name("operant")
    env = {k: v for k, v in os.environ.items() if k != "OPERANT_POLICY"}
    return subprocess.run(
        [str(executable), *args], capture_output=True, text=True, env=env, check=False
    )


def test_the_operant_command_reports_a_bad_file_in_one_line_without_traceback(
    policy_file: Callable[..., Path],
) -> None:
    path = policy_file(('currency = "USD"\nvalidity_days', 'currency = "Dollars"\nvalidity_days'))
    result = operant("policy", "check", str(path))
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert f"{path}:52: quotes.currency: must be an ISO 4217 currency code" in lines[0]
    assert "Traceback" not in result.stderr


def test_the_operant_command_checks_a_good_file(policy_file: Callable[..., Path]) -> None:
    result = operant("policy", "check", str(policy_file()))
    assert (result.returncode, result.stdout) == (0, "OK 2026-03-13 (effective 2026-03-13)\n")


def test_the_operant_sla_command_fails_cleanly_on_an_unknown_class() -> None:
    result = operant("sla", "target", "--class", "vip", "--received", "2026-03-16T10:00")
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
