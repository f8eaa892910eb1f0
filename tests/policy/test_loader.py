"""Loading policy files: the shipped one, and every kind of bad one, in one readable line."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import override_settings

from operant.core.errors import UserError
from operant.policy.loader import current_policy, load_policy, parse_policy
from operant.policy.schema import (
    BusinessDaysRule,
    OutOfScopeKey,
    Policy,
    PolicyError,
    RequestClass,
)

from .conftest import edit


def test_it_loads_every_term_of_the_shipped_policy(shipped: Policy) -> None:
    assert shipped.version == "2026-03-13"
    assert shipped.effective == dt.date(2026, 3, 13)
    assert shipped.meta.organisation == "Operant"
    assert shipped.contact.support_email == "support@operantco.com"
    assert str(shipped.calendar.timezone) == "America/New_York"
    assert shipped.response.warning_lead_hours == 2
    outage = shipped.response.classes.outage
    assert outage.target == BusinessDaysRule(business_days=0, cutoff=dt.time(15, 0))
    assert outage.limit == BusinessDaysRule(business_days=1, cutoff=dt.time(15, 0))
    assert shipped.allowance.minutes_per_month == 30
    assert shipped.allowance.carry_over is False
    assert shipped.allowance.notify_at_percent == (80, 100)
    assert shipped.quotes.hourly_rate == Decimal("125.00")
    assert shipped.quotes.currency == "USD"
    assert [c.key for c in shipped.out_of_scope] == list(OutOfScopeKey)
    assert {c.clause for c in shipped.out_of_scope} == {"02"}
    assert shipped.maintenance.notice_lead_hours == 72
    assert [v.name for v in shipped.vendors] == ["Twilio", "Meta (Instagram)"]
    assert shipped.suspension.reactivation_fee == Decimal("150.00")
    assert shipped.suspension.grace_days == 7
    assert len(shipped.sha256) == 64


def test_the_policy_is_frozen(shipped: Policy) -> None:
    with pytest.raises(ValueError, match="frozen"):
        shipped.allowance.minutes_per_month = 60  # type: ignore[misc]


@pytest.mark.parametrize("name", ["adjustment", "out_of_scope", "not_covered"])
def test_classes_without_their_own_targets_use_general(shipped: Policy, name: str) -> None:
    assert shipped.response.rule_for(name) == shipped.response.classes.general


def test_a_class_given_its_own_targets_uses_them(edited_policy: Callable[..., Policy]) -> None:
    policy = edited_policy(
        (
            "[allowance]",
            '[response.classes.adjustment]\nlabel = "Minor adjustments"\n'
            "target = { business_hours = 4 }\nlimit = { business_days = 3 }\n\n[allowance]",
        )
    )
    rule = policy.response.rule_for(RequestClass.ADJUSTMENT)
    assert rule.label == "Minor adjustments"
    assert rule.target.business_hours == 4  # type: ignore[union-attr]


def test_an_unknown_request_class_names_the_known_ones(shipped: Policy) -> None:
    with pytest.raises(PolicyError, match="known classes: outage, general, adjustment"):
        shipped.response.rule_for("urgent")


BAD_FILES = [
    pytest.param(
        ("target = { business_days = 1 }", 'target = { business_days = "one" }'),
        "operant.toml:34: response.classes.general.target.business_days: "
        'must be a whole number from 0 to 366, got "one"',
        id="mistyped-number",
    ),
    pytest.param(
        ("warning_lead_hours = 2", "warning_lead_hours = 1e308"),
        "operant.toml:30: response.warning_lead_hours: "
        "must be a number of hours more than 0 and at most 8784, got 1e+308",
        id="hours-huge",
    ),
    pytest.param(
        ("warning_lead_hours = 2", "warning_lead_hours = nan"),
        "operant.toml:30: response.warning_lead_hours: must be a number of hours",
        id="hours-nan",
    ),
    pytest.param(
        ("warning_lead_hours = 2", "warning_lead_hours = inf"),
        "operant.toml:30: response.warning_lead_hours: must be a number of hours",
        id="hours-infinite",
    ),
    pytest.param(
        ("target = { business_days = 1 }", "target = { business_days = 99999999999 }"),
        "operant.toml:34: response.classes.general.target.business_days: "
        "must be a whole number from 0 to 366, got 99999999999",
        id="days-huge",
    ),
    pytest.param(
        ("minutes_per_month = 30\n", "minutes_per_month = 50000\n"),
        "operant.toml:44: allowance.minutes_per_month: must be a whole number from 0 to 44640",
        id="minutes-more-than-a-month",
    ),
    pytest.param(
        ('hourly_rate = "125.00"', 'hourly_rate = "99999999999999.00"'),
        "operant.toml:51: quotes.hourly_rate: must be an amount of money in quotes with at most "
        '2 decimals, up to "1000000.00"',
        id="money-huge",
    ),
    pytest.param(
        ("notice_lead_hours = 72", "notice_lead_hours = 9000000"),
        "operant.toml:85: maintenance.notice_lead_hours: must be a whole number from 0 to 8784",
        id="lead-hours-huge",
    ),
    pytest.param(
        ("minutes_per_month = 30\n", ""),
        "operant.toml: allowance.minutes_per_month: missing",
        id="missing-term",
    ),
    pytest.param(
        ("[contact]", "[kontact]"),
        'operant.toml:14: kontact: unknown key (did you mean "contact"?)',
        id="unknown-table",
    ),
    pytest.param(
        ("carry_over = false", "carry_over = false\ncary_over = true"),
        'operant.toml:46: allowance.cary_over: unknown key (did you mean "carry_over"?)',
        id="unknown-key",
    ),
    pytest.param(
        ('cutoff = "15:00" }\nlimit', 'cutof = "15:00" }\nlimit'),
        "operant.toml:40: response.classes.outage.target.cutof: "
        'unknown key (did you mean "cutoff"?)',
        id="unknown-key-in-inline-table",
    ),
    pytest.param(
        ("[response.classes.general]", "[response.classes.genral]"),
        "operant.toml:32: response.classes.genral: unknown request class",
        id="unknown-request-class",
    ),
    pytest.param(
        ('hourly_rate = "125.00"', 'hourly_rate = "12.345"'),
        "operant.toml:51: quotes.hourly_rate: must be an amount of money in quotes with at most "
        '2 decimals, up to "1000000.00", like "125.00", got "12.345"',
        id="money-three-decimals",
    ),
    pytest.param(
        ('hourly_rate = "125.00"', "hourly_rate = 125.5"),
        "operant.toml:51: quotes.hourly_rate: must be an amount of money",
        id="money-as-float",
    ),
    pytest.param(
        ('reactivation_fee = "150.00"', 'reactivation_fee = "-150"'),
        "operant.toml:102: suspension.reactivation_fee: must be an amount of money",
        id="money-negative",
    ),
    pytest.param(
        ('currency = "USD"\nvalidity_days', 'currency = "usd"\nvalidity_days'),
        "operant.toml:52: quotes.currency: must be an ISO 4217 currency code in capitals, "
        'like "USD", got "usd"',
        id="currency-lowercase",
    ),
    pytest.param(
        ('"150.00"\ncurrency = "USD"', '"150.00"\ncurrency = "XYZ"'),
        "operant.toml:103: suspension.currency: must be an ISO 4217 currency code",
        id="currency-unknown",
    ),
    pytest.param(
        (
            'target = { business_days = 0, cutoff = "15:00" }',
            'target = { business_days = 0, cutoff = "3pm" }',
        ),
        'operant.toml:40: response.classes.outage.target.cutoff: must be a 24-hour time "HH:MM", '
        'like "15:00", got "3pm"',
        id="cutoff-not-a-time",
    ),
    pytest.param(
        (
            'limit = { business_days = 1, cutoff = "15:00" }',
            'limit = { business_days = 1, cutoff = "25:00" }',
        ),
        "operant.toml:41: response.classes.outage.limit.cutoff: must be a 24-hour time",
        id="cutoff-out-of-range",
    ),
    pytest.param(
        ("target = { business_days = 1 }", "target = { business_days = 1, business_hours = 4 }"),
        "operant.toml:34: response.classes.general.target: must be a table with either "
        "business_days",
        id="rule-with-both-units",
    ),
    pytest.param(
        ("limit = { business_days = 2 }", "limit = { business_hours = 0 }"),
        "operant.toml:35: response.classes.general.limit.business_hours: "
        "must be a number of hours more than 0 and at most 8784, got 0",
        id="rule-zero-hours",
    ),
    pytest.param(
        ("carry_over = false", 'carry_over = "no"'),
        'operant.toml:45: allowance.carry_over: must be true or false, got "no"',
        id="flag-as-text",
    ),
    pytest.param(
        ('version = "2026-03-13"', "version = 2026-03-13"),
        "operant.toml:9: policy.version: must be text in quotes, got 2026-03-13",
        id="version-unquoted",
    ),
    pytest.param(
        ('support_email = "support@operantco.com"', 'support_email = "support"'),
        'operant.toml:15: contact.support_email: must be an email address, got "support"',
        id="bad-email",
    ),
    pytest.param(
        ('key = "migration"', 'key = "migrate"'),
        "operant.toml:65: out_of_scope[2].key: must be one of new_feature",
        id="unknown-scope-category",
    ),
    pytest.param(
        ('key = "migration"', 'key = "new_feature"'),
        'operant.toml:56: out_of_scope: key "new_feature" appears twice',
        id="duplicate-scope-category",
    ),
    pytest.param(
        ("reminder_lead_hours = 24", "reminder_lead_hours = 96"),
        "operant.toml:86: maintenance.reminder_lead_hours: must be less than "
        "notice_lead_hours (72), got 96",
        id="reminder-after-notice",
    ),
    pytest.param(
        ("notify_at_percent = [80, 100]", "notify_at_percent = [100, 80]"),
        "operant.toml:48: allowance.notify_at_percent: must be a list of increasing percentages",
        id="percent-order",
    ),
    pytest.param(
        ('status_url = "https://status.twilio.com/api/v2/summary.json"', 'status_url = "ftp://x"'),
        'operant.toml:92: vendors[0].status_url: must be an http(s) URL, got "ftp://x"',
        id="bad-vendor-url",
    ),
    pytest.param(
        ('timezone = "America/New_York"', 'timezone = "America/Nowhere"'),
        "operant.toml:18: calendar.timezone: ",
        id="calendar-bad-timezone",
    ),
    pytest.param(
        ('hours.tue = ["09:00-17:00"]', 'hours.tue = ["17:00-09:00"]'),
        "operant.toml:20: calendar.hours.tue",
        id="calendar-backwards-hours",
    ),
    pytest.param(
        ('closed = ["2026-12-24", "2026-12-31"]', 'closed = ["2026-12-24", "someday"]'),
        "operant.toml:26: calendar.closed",
        id="calendar-bad-closed-date",
    ),
    pytest.param(
        ("carry_over = false", "carry_over = no"),
        "operant.toml:45: TOML syntax error: Invalid value (column 14)",
        id="toml-syntax",
    ),
    pytest.param(
        ("[maintenance]", "[maintenance"),
        "operant.toml:84: TOML syntax error: ",
        id="toml-unclosed-header",
    ),
]


@pytest.mark.parametrize(("change", "message"), BAD_FILES)
def test_a_bad_file_is_one_line_naming_the_key_and_line(
    shipped_text: str, change: tuple[str, str], message: str
) -> None:
    text = edit(shipped_text, *change)
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, "operant.toml")
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value, UserError)


def test_a_missing_calendar_table_is_named(shipped_text: str) -> None:
    start = shipped_text.index("[calendar]")
    end = shipped_text.index("[response]")
    with pytest.raises(PolicyError, match=r"^operant.toml: calendar: missing$"):
        parse_policy(shipped_text[:start] + shipped_text[end:], "operant.toml")


def test_the_first_problem_in_the_file_is_the_one_reported(shipped_text: str) -> None:
    text = edit(shipped_text, "grace_days = 7", 'grace_days = "seven"')
    text = edit(text, 'organisation = "Operant"', "organisation = 7")
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, "operant.toml")
    assert caught.value.line == 7
    assert caught.value.key == "policy.organisation"


def test_load_names_the_file_it_was_given(policy_file: Callable[..., Path]) -> None:
    path = policy_file(("minutes_per_month = 30", "minutes_per_month = -1"))
    with pytest.raises(PolicyError, match=rf"^{path}:44: allowance.minutes_per_month: "):
        load_policy(path)


def test_a_missing_file_is_a_policy_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="no such policy file"):
        load_policy(tmp_path / "absent.toml")


def test_current_policy_rereads_a_changed_file(policy_file: Callable[..., Path]) -> None:
    path = policy_file()
    with override_settings(OPERANT_POLICY=str(path)):
        first = current_policy()
        assert current_policy() is first  # unchanged file: the cached object
        path.write_text(edit(path.read_text(), "minutes_per_month = 30", "minutes_per_month = 450"))
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        assert current_policy().allowance.minutes_per_month == 450


def test_current_policy_follows_the_setting(policy_file: Callable[..., Path]) -> None:
    path = policy_file(('version = "2026-03-13"', 'version = "2027-01"'))
    with override_settings(OPERANT_POLICY=str(path)):
        assert current_policy().version == "2027-01"
    assert current_policy().version == "2026-03-13"


def test_a_decision_records_the_policy_version_and_clause(shipped: Policy) -> None:
    decision = shipped.decide("migration", clause="02", reason="new phone number")
    assert (decision.value, decision.clause, decision.policy_version) == (
        "migration",
        "02",
        "2026-03-13",
    )


def test_a_file_saved_with_a_byte_order_mark_loads(
    tmp_path: Path, shipped_text: str, shipped: Policy
) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + shipped_text.encode("utf-8"))
    assert load_policy(path).sha256 == shipped.sha256
