"""Clause 03 deadlines under the shipped policy, against instants worked out by hand.

The shipped calendar: America/New_York, Monday to Friday 09:00-17:00, US/NY public holidays
(2026: Election Day Tue Nov 3, Thanksgiving Thu Nov 26, Christmas Fri Dec 25), closed Dec 24
and Dec 31. General: target 1 business day, limit 2. Outage: same business day before the
15:00 cutoff (else next business day), limit one business day later.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from operant.policy.schema import Policy, PolicyError
from operant.policy.targets import response_deadlines

NY = ZoneInfo("America/New_York")


def ny(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=NY)


@pytest.mark.parametrize(
    ("received", "target", "limit"),
    [
        # Monday morning: close of Tuesday, then of Wednesday.
        ("2026-03-16T10:00", "2026-03-17T17:00", "2026-03-18T17:00"),
        # Before opening still counts from that (business) day.
        ("2026-03-16T07:30", "2026-03-17T17:00", "2026-03-18T17:00"),
        # Friday afternoon: Monday, then Tuesday.
        ("2026-03-20T16:00", "2026-03-23T17:00", "2026-03-24T17:00"),
        # Friday after close counts from Monday.
        ("2026-03-20T18:00", "2026-03-24T17:00", "2026-03-25T17:00"),
        # Saturday counts from Monday.
        ("2026-03-21T11:00", "2026-03-24T17:00", "2026-03-25T17:00"),
        # The day before Thanksgiving: Thursday is a holiday, Friday is open.
        ("2026-11-25T10:00", "2026-11-27T17:00", "2026-11-30T17:00"),
        # Spring forward (Sun Mar 8): received in EST, due in EDT.
        ("2026-03-06T12:00", "2026-03-09T17:00", "2026-03-10T17:00"),
        # Fall back (Sun Nov 1), then Election Day (Tue Nov 3) skipped for the limit.
        ("2026-10-30T16:00", "2026-11-02T17:00", "2026-11-04T17:00"),
        # Dec 24 (closed) and 25 (Christmas): Wednesday's request is due Monday.
        ("2026-12-23T10:00", "2026-12-28T17:00", "2026-12-29T17:00"),
    ],
)
def test_general_requests_are_due_by_close_one_then_two_business_days_later(
    shipped: Policy, received: str, target: str, limit: str
) -> None:
    deadlines = response_deadlines(
        policy=shipped, request_class="general", received_at=ny(received)
    )
    assert deadlines.target_at == ny(target)
    assert deadlines.limit_at == ny(limit)


@pytest.mark.parametrize(
    ("received", "target", "limit"),
    [
        # Before the cutoff: same business day; limit the next.
        ("2026-03-16T10:00", "2026-03-16T17:00", "2026-03-17T17:00"),
        ("2026-03-16T14:59", "2026-03-16T17:00", "2026-03-17T17:00"),
        # After the cutoff: counts from the next business day.
        ("2026-03-16T15:30", "2026-03-17T17:00", "2026-03-18T17:00"),
        # After hours on Friday: Monday, then Tuesday.
        ("2026-03-20T19:00", "2026-03-23T17:00", "2026-03-24T17:00"),
        # Sunday: Monday counts as the day received, before its cutoff.
        ("2026-03-22T09:00", "2026-03-23T17:00", "2026-03-24T17:00"),
        # Day before Thanksgiving: before the cutoff the same day; after it, Friday.
        ("2026-11-25T14:00", "2026-11-25T17:00", "2026-11-27T17:00"),
        ("2026-11-25T15:30", "2026-11-27T17:00", "2026-11-30T17:00"),
        # Friday before fall back, after cutoff: Monday in EST.
        ("2026-10-30T15:45", "2026-11-02T17:00", "2026-11-04T17:00"),
        # Friday before spring forward, before cutoff: same day in EST; limit Monday in EDT.
        ("2026-03-06T11:00", "2026-03-06T17:00", "2026-03-09T17:00"),
    ],
)
def test_outages_are_due_the_same_business_day_before_the_cutoff(
    shipped: Policy, received: str, target: str, limit: str
) -> None:
    deadlines = response_deadlines(policy=shipped, request_class="outage", received_at=ny(received))
    assert deadlines.target_at == ny(target)
    assert deadlines.limit_at == ny(limit)


def test_deadlines_are_given_in_the_calendars_timezone_with_clause_and_version(
    shipped: Policy,
) -> None:
    received = datetime(2026, 3, 16, 14, 0, tzinfo=UTC)  # 10:00 in New York
    deadlines = response_deadlines(policy=shipped, request_class="general", received_at=received)
    assert deadlines.target_at.tzinfo == NY
    assert deadlines.target_at.isoformat() == "2026-03-17T17:00:00-04:00"
    assert (deadlines.clause, deadlines.policy_version) == ("03", "2026-03-13")


@pytest.mark.parametrize("request_class", ["adjustment", "out_of_scope", "not_covered"])
def test_other_classes_get_the_general_deadlines(shipped: Policy, request_class: str) -> None:
    received = ny("2026-03-20T16:00")
    deadlines = response_deadlines(
        policy=shipped, request_class=request_class, received_at=received
    )
    general = response_deadlines(policy=shipped, request_class="general", received_at=received)
    assert (deadlines.target_at, deadlines.limit_at) == (general.target_at, general.limit_at)


def test_a_business_hours_rule_counts_open_hours_only(
    edited_policy: Callable[..., Policy],
) -> None:
    policy = edited_policy(
        ("target = { business_days = 1 }", "target = { business_hours = 4 }"),
    )
    # Friday 15:00 + 4 open hours: 2 on Friday, 2 on Monday from 09:00.
    deadlines = response_deadlines(
        policy=policy, request_class="general", received_at=ny("2026-03-20T15:00")
    )
    assert deadlines.target_at == ny("2026-03-23T11:00")
    assert deadlines.limit_at == ny("2026-03-24T17:00")


def test_an_unknown_class_is_a_user_error_listing_the_known_ones(shipped: Policy) -> None:
    with pytest.raises(PolicyError, match="known classes: outage, general, adjustment"):
        response_deadlines(policy=shipped, request_class="vip", received_at=ny("2026-03-16T10:00"))


def test_a_naive_received_time_is_refused(shipped: Policy) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        response_deadlines(
            policy=shipped, request_class="general", received_at=datetime(2026, 3, 16, 10)
        )
