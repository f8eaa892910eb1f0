"""Is a requested adjustment still minor? (clause 01 against clause 02)

Clause 01 includes minor adjustments up to the month's allowance; clause 02 quotes "significant
workflow changes" separately. An agent's estimate decides which: a request estimated above the
policy's ``minor_request_limit_minutes``, or above what the client has left this month, is
reclassified as out of scope (significant change), with the reason on the ticket.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from operant.allowance.errors import EntryInvalid
from operant.allowance.ledger import Balance, allowance_balance, month_of
from operant.desk.models import RequestClass, Ticket
from operant.desk.services import ticket_reclassify
from operant.policy.loader import current_policy
from operant.policy.schema import OutOfScopeKey


@dataclass(frozen=True)
class EstimateVerdict:
    ticket: Ticket
    over: bool  # the request is not minor
    reasons: tuple[str, ...]
    balance: Balance | None  # this month's, when the ticket has a client
    reclassified: bool


def adjustment_estimate_check(
    *, ticket: Ticket, estimate_minutes: int, now: dt.datetime
) -> EstimateVerdict:
    """1. Compare the estimate with the policy's minor-request limit and with the minutes the
    client has left this month (their calendar).
    2. If it is over either, reclassify the ticket out of scope as a significant change
    (clause 02) through the desk, with no actor (the rule decided), and record the reasons as
    the ticket's classification reasons. A ticket already out of scope is left as it is.
    """
    if isinstance(estimate_minutes, bool) or not isinstance(estimate_minutes, int):
        raise EntryInvalid(f"the estimate must be whole minutes, got {estimate_minutes!r}")
    if estimate_minutes < 1:
        raise EntryInvalid(f"the estimate must be at least 1 minute, got {estimate_minutes}")
    limit = current_policy().allowance.minor_request_limit_minutes
    reasons = []
    if estimate_minutes > limit:
        reasons.append(
            f"estimated at {estimate_minutes} minutes, over the {limit}-minute limit "
            "of a minor adjustment (clause 01)"
        )
    balance = None
    if ticket.client_id is not None:
        month = month_of(client=ticket.client, when=now)
        balance = allowance_balance(client=ticket.client, month=month)
        if estimate_minutes > balance.remaining_minutes:
            reasons.append(
                f"estimated at {estimate_minutes} minutes, more than the "
                f"{balance.remaining_minutes} allowance minutes left for {month:%B %Y}"
            )
    # Read the class afresh: the caller's copy of the ticket may predate a reclassification.
    stored_class = Ticket.objects.values_list("request_class", flat=True).get(pk=ticket.pk)
    if not reasons or stored_class == RequestClass.OUT_OF_SCOPE:
        return EstimateVerdict(ticket, bool(reasons), tuple(reasons), balance, False)
    why = [f"significant workflow change, quoted separately (clause 02): {r}" for r in reasons]
    ticket = ticket_reclassify(
        ticket=ticket,
        request_class=RequestClass.OUT_OF_SCOPE,
        scope_category=OutOfScopeKey.SIGNIFICANT_CHANGE,
        actor=None,
        now=now,
        reasons=why,  # the rule's own words, not "set by an agent"
    )
    return EstimateVerdict(ticket, True, tuple(reasons), balance, True)
