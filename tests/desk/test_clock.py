"""deadlines_for: answers are remembered per policy object, never across policies."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from operant.desk.clock import deadlines_for
from operant.policy.loader import parse_policy
from operant.settings import SHIPPED_POLICY

MONDAY_10AM = datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("America/New_York"))


def _policy(general_days: int):
    shipped = SHIPPED_POLICY.read_text()
    text = shipped.replace(
        "target = { business_days = 1 }\nlimit = { business_days = 2 }",
        f"target = {{ business_days = {general_days} }}\nlimit = {{ business_days = 3 }}",
        1,
    )
    assert text != shipped
    return parse_policy(text, source="test.toml")


def test_the_same_question_gets_the_same_answer() -> None:
    policy = _policy(1)
    first = deadlines_for(
        policy=policy, request_class="general", received_at=MONDAY_10AM, paused=timedelta(0)
    )
    again = deadlines_for(
        policy=policy, request_class="general", received_at=MONDAY_10AM, paused=timedelta(0)
    )
    assert first == again
    assert first[0].date() == datetime(2026, 12, 8).date()  # close of business Tuesday


def test_a_different_policy_is_asked_afresh() -> None:
    one_day, two_days = _policy(1), _policy(2)
    kwargs = {"request_class": "general", "received_at": MONDAY_10AM, "paused": timedelta(0)}
    assert deadlines_for(policy=one_day, **kwargs)[0].day == 8
    assert deadlines_for(policy=two_days, **kwargs)[0].day == 9
    # And a policy object created after another was dropped (whose id it may reuse).
    del one_day
    assert deadlines_for(policy=_policy(2), **kwargs)[0].day == 9


def test_paused_time_moves_the_answer() -> None:
    policy = _policy(1)
    plain = deadlines_for(
        policy=policy, request_class="general", received_at=MONDAY_10AM, paused=timedelta(0)
    )
    paused = deadlines_for(
        policy=policy, request_class="general", received_at=MONDAY_10AM, paused=timedelta(hours=2)
    )
    assert paused[0] > plain[0]
