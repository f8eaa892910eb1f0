"""Clause 03: when a request of a class must first be answered.

Deadlines are computed only by the business calendar (one source of business time): a
``business_days`` rule is "close of business N business days after the day of receipt", a
``business_hours`` rule is H hours of open time after receipt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from operant.policy.schema import BusinessDaysRule, BusinessHoursRule, Policy

CLAUSE = "03"


@dataclass(frozen=True)
class ResponseDeadlines:
    """A class's first-response target and outer limit for one request, in calendar time."""

    request_class: str
    received_at: datetime
    target_at: datetime
    limit_at: datetime
    policy_version: str
    clause: str = CLAUSE


def response_deadlines(
    *, policy: Policy, request_class: str, received_at: datetime
) -> ResponseDeadlines:
    """Target and limit for ``request_class`` received at ``received_at`` (timezone-aware).

    Classes without targets of their own in the file use ``general``'s; an unknown class is a
    ``PolicyError`` naming the known ones. Results are in the calendar's timezone.
    """
    if received_at.tzinfo is None or received_at.utcoffset() is None:
        # A naive time would be read in whatever zone the server runs in: a silent wrong answer.
        raise ValueError("received_at must be timezone-aware")
    rules = policy.response.rule_for(request_class)
    return ResponseDeadlines(
        request_class=request_class,
        received_at=received_at,
        target_at=deadline_at(policy, rules.target, received_at),
        limit_at=deadline_at(policy, rules.limit, received_at),
        policy_version=policy.version,
    )


def deadline_at(
    policy: Policy, rule: BusinessDaysRule | BusinessHoursRule, received_at: datetime
) -> datetime:
    """When one deadline rule falls due for a request received at ``received_at``."""
    calendar = policy.calendar
    if isinstance(rule, BusinessDaysRule):
        due = calendar.business_day_close(received_at, rule.business_days, rule.cutoff)
    else:
        due = calendar.add(received_at, timedelta(hours=rule.business_hours))
    return due.astimezone(calendar.timezone)
