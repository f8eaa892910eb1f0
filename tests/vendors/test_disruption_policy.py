"""The policy's ``[disruptions]`` terms (clause 05): validated naming the key and line, and
published on the policy page."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from operant.policy.loader import parse_policy
from operant.policy.render import render_policy
from operant.policy.schema import PolicyError


def shipped(*edits: tuple[str, str]) -> str:
    text = Path(settings.SHIPPED_POLICY).read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def test_the_shipped_terms_are_loaded() -> None:
    terms = parse_policy(shipped(), "operant.toml").disruptions
    assert (terms.minimum_severity, terms.minimum_minutes, terms.notices_need_approval) == (
        "partial_outage", 15, False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('minimum_severity = "partial_outage"', 'minimum_severity = "outage"'),
            "operant.toml:117: disruptions.minimum_severity: must be one of "
            'degraded_performance, partial_outage, major_outage, got "outage"',
        ),
        (
            ("minimum_minutes = 15", "minimum_minutes = -1"),
            "operant.toml:118: disruptions.minimum_minutes: must be a whole number from 0 to 1440",
        ),
        (
            ("notices_need_approval = false", 'notices_need_approval = "no"'),
            "operant.toml:120: disruptions.notices_need_approval: must be true or false",
        ),
        (
            ("minimum_minutes = 15", "minimum_minute = 15"),
            "operant.toml:118: disruptions.minimum_minute: unknown key",
        ),
    ],
)
def test_a_bad_term_is_named_with_its_line(change: tuple[str, str], message: str) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(shipped(change), "operant.toml")
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_the_policy_page_says_when_a_disruption_is_material(fmt: str) -> None:
    policy = parse_policy(shipped(("minimum_minutes = 15", "minimum_minutes = 30")), "x.toml")
    page = render_policy(policy, fmt)  # type: ignore[arg-type]
    assert "package is in partial outage or worse for at least 30 minutes" in page
