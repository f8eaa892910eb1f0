"""The first-response clock of a ticket (clause 03): deadlines, pauses, warning and breach.

Deadlines come only from the policy through the business calendar. Paused time is business
time the client or a vendor owed us; it is added back to the policy's deadlines, so pausing,
resuming and reclassifying always agree with each other.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from operant.desk.models import ClockState
from operant.policy.targets import response_deadlines

if TYPE_CHECKING:
    from operant.desk.models import Ticket
    from operant.policy.schema import Policy


# Recent answers of deadlines_for, by (policy object, class, received, paused): a batch of mail
# opens many tickets received at the same moment, and the answer depends on nothing else.
# The policy object is kept in the value and compared by identity, so a reloaded policy (a new
# object) never gets an old answer, even if it reuses an old object's id.
_MEMO_SIZE = 512
_memo: dict[tuple[int, str, datetime, timedelta], tuple[Policy, tuple[datetime, datetime]]] = {}


def deadlines_for(
    *, policy: Policy, request_class: str, received_at: datetime, paused: timedelta
) -> tuple[datetime, datetime]:
    """1. Ask the policy for the class's target and limit from the time received.
    2. Push both later by the business time the clock has been paused, if any."""
    key = (id(policy), request_class, received_at, paused)
    remembered = _memo.get(key)
    if remembered is not None and remembered[0] is policy:
        return remembered[1]
    answer = _deadlines(policy, request_class, received_at, paused)
    if len(_memo) >= _MEMO_SIZE:
        _memo.clear()
    _memo[key] = (policy, answer)
    return answer


def _deadlines(
    policy: Policy, request_class: str, received_at: datetime, paused: timedelta
) -> tuple[datetime, datetime]:
    deadlines = response_deadlines(
        policy=policy, request_class=request_class, received_at=received_at
    )
    target_at, limit_at = deadlines.target_at, deadlines.limit_at
    if paused > timedelta(0):
        target_at = policy.business_calendar.add(target_at, paused)
        limit_at = policy.business_calendar.add(limit_at, paused)
    return target_at, limit_at


def warning_time(*, policy: Policy, target_at: datetime) -> datetime:
    """Agents hear of a target this long (wall-clock) before it passes."""
    return target_at - timedelta(hours=policy.response.warning_lead_hours)


def next_clock_due(ticket: Ticket, *, policy: Policy) -> datetime | None:
    """When the worker must next look at this ticket's clock, or None when it never must."""
    if ticket.clock_state in (ClockState.MET, ClockState.PAUSED) or ticket.first_response_at:
        return None
    if ticket.target_at is None or ticket.limit_at is None:
        return None
    if ticket.clock_state == ClockState.RUNNING:
        if ticket.warned_at is None:
            return min(warning_time(policy=policy, target_at=ticket.target_at), ticket.target_at)
        return ticket.target_at
    # Breached: one more look when the outer limit passes too.
    return ticket.limit_at if ticket.limit_passed_at is None else None


def clock_apply_deadlines(ticket: Ticket, *, policy: Policy) -> None:
    """Recompute target and limit from the policy and settle the clock's state (in memory)."""
    ticket.target_at, ticket.limit_at = deadlines_for(
        policy=policy,
        request_class=ticket.request_class,
        received_at=ticket.received_at,
        paused=timedelta(seconds=ticket.paused_seconds),
    )
    if ticket.first_response_at is not None:
        met = ticket.first_response_at <= ticket.target_at
        ticket.clock_state = ClockState.MET if met else ClockState.BREACHED
    elif ticket.clock_state != ClockState.PAUSED:
        ticket.clock_state = ClockState.RUNNING
        ticket.breached_at = ticket.limit_passed_at = None
        if ticket.warned_at and ticket.warned_at < warning_time(
            policy=policy, target_at=ticket.target_at
        ):
            ticket.warned_at = None  # a later target deserves its own warning
    ticket.clock_due_at = next_clock_due(ticket, policy=policy)


def clock_end_pause(ticket: Ticket, *, now: datetime, policy: Policy) -> None:
    """End the clock's pause at ``now`` (in memory): its business time joins the paused total.
    The caller closes the open ``ClockPause`` row in the same write."""
    assert ticket.paused_at is not None
    paused = max(policy.business_calendar.elapsed(ticket.paused_at, now), timedelta(0))
    ticket.paused_seconds += int(paused.total_seconds())
    ticket.clock_state = ClockState.RUNNING
    ticket.paused_at = None
    ticket.pause_reason = ""


def clock_waits_on_client(ticket: Ticket) -> bool:
    """A clock paused until the client writes: their next message starts it again."""
    return ticket.clock_state == ClockState.PAUSED and ticket.pause_reason == WAITING_ON_CLIENT


# The pause reason a client's next message ends.
WAITING_ON_CLIENT = "waiting_on_client"
# The pause reason of a vendor's incident (clause 03: no liability for delays it causes); the
# vendors app pauses and resumes it with the incident.
THIRD_PARTY_OUTAGE = "third_party_outage"
# What each reason is called where excluded time is listed (statements); another reason is
# shown by its key.
PAUSE_REASON_LABELS: dict[str, str] = {
    WAITING_ON_CLIENT: "Waiting on the client",
    THIRD_PARTY_OUTAGE: "Third-party outage",
}
