"""The public page is written from the file: its numbers are the file's numbers."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from operant.policy.render import class_phrase, render_policy
from operant.policy.schema import Policy


def text_of(policy: Policy, fmt: str) -> str:
    """The page as a reader sees it: tags dropped, so phrases can be matched across them."""
    page = render_policy(policy, fmt)  # type: ignore[arg-type]
    return re.sub(r"<[^>]+>", "", page) if fmt == "html" else page


SHIPPED_PHRASES = [
    "Last updated March 13, 2026",
    "(up to 30 minutes per month)",
    "response time target of 1 to 2 business days",
    "General inquiries: 1 to 2 business days",
    "Service outages affecting live automations: same business day where possible",
    "Migration to a new phone number or platform",
    "Support required due to third-party platform changes",
    "support@operantco.com",
    "including but not limited to Twilio, Meta (Instagram), and others",
    "at least 72 hours before a window",
    "past due 15 days after its due date",
    "suspended 7 days later",
    "reactivation fee of 150.00 USD",
    "hourly rate of 125.00 USD",
    "Monday to Friday: 9:00 AM to 5:00 PM",
    "Saturday and Sunday: closed",
    "America/New_York",
    "public holidays in US (NY)",
    "December 24, 2026 and December 31, 2026",
    "by close of business on the next business day after the day we receive your request "
    "(a request received after close counts from the next business day)",
    "by close of business that day if received before the cutoff 3:00 PM America/New_York, "
    "otherwise by close of the next business day",
]


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_page_carries_every_term_of_the_shipped_policy(shipped: Policy, fmt: str) -> None:
    page = text_of(shipped, fmt)
    for phrase in SHIPPED_PHRASES:
        assert phrase in page, phrase


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_it_has_the_seven_published_clauses_in_order(shipped: Policy, fmt: str) -> None:
    page = render_policy(shipped, fmt)  # type: ignore[arg-type]
    titles = [
        "Included Support",
        "Out-of-Scope Support",
        "Response Times",
        "Planned Maintenance",
        "Third-Party Dependencies",
        "Service Suspension",
        "Contact",
        "How we count business days",
    ]
    body = page.split("Contact", 1)[1]  # after the table of contents
    positions = [body.find(title) for title in titles[:-2]]
    assert positions == sorted(positions)
    assert all(title in page for title in titles)


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_page_changes_when_the_file_changes(
    edited_policy: Callable[..., Policy], fmt: str
) -> None:
    policy = edited_policy(
        ("minutes_per_month = 30", "minutes_per_month = 45"),
        ('cutoff = "15:00" }\nlimit', 'cutoff = "13:30" }\nlimit'),
        ('reactivation_fee = "150.00"', 'reactivation_fee = "1250.00"'),
        ("effective = 2026-03-13", "effective = 2026-07-01"),
        ('support_email = "support@operantco.com"', 'support_email = "help@example.com"'),
    )
    page = text_of(policy, fmt)
    assert "(up to 45 minutes per month)" in page
    assert "before the cutoff 1:30 PM" in page
    assert "1,250.00 USD" in page
    assert "Last updated July 1, 2026" in page
    assert "help@example.com" in page
    assert "30 minutes per month" not in page
    assert "support@operantco.com" not in page


def test_html_escapes_every_value_from_the_file(edited_policy: Callable[..., Policy]) -> None:
    policy = edited_policy(
        ('text = "New feature development"', 'text = "New <script>alert(1)</script> features"')
    )
    page = render_policy(policy, "html")
    assert "<script>" not in page
    assert "New &lt;script&gt;alert(1)&lt;/script&gt; features" in page


def test_html_is_a_standalone_mobile_friendly_page(shipped: Policy) -> None:
    page = render_policy(shipped, "html")
    assert page.startswith("<!doctype html>")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "<style>" in page
    assert "<link" not in page
    assert "<script" not in page


def test_markdown_is_not_html_escaped(edited_policy: Callable[..., Policy]) -> None:
    policy = edited_policy(('organisation = "Operant"', 'organisation = "O\'Hara & Sons"'))
    page = render_policy(policy, "md")
    assert "O'Hara & Sons targets the following response times" in page
    assert "## 03 Response Times" in page


def test_a_business_hours_class_reads_in_hours(edited_policy: Callable[..., Policy]) -> None:
    policy = edited_policy(
        ("target = { business_days = 1 }", "target = { business_hours = 4 }"),
        ("limit = { business_days = 2 }", "limit = { business_hours = 8 }"),
    )
    assert class_phrase(policy.response.classes.general) == "4 to 8 business hours"
    assert "within 4 hours counted only while we are open" in render_policy(policy, "md")


def test_an_unknown_format_is_refused(shipped: Policy) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        render_policy(shipped, "pdf")  # type: ignore[arg-type]
