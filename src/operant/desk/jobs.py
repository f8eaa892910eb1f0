"""Worker jobs of the desk: clock warnings, missed targets and passed limits."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.template.loader import render_to_string

from operant.accounts.models import User
from operant.desk.clock import next_clock_due, warning_time
from operant.desk.models import ClockState, Ticket, TicketEvent
from operant.notify.services import notification_queue
from operant.policy.services import policy_in_force

log = logging.getLogger(__name__)
BATCH = 100


def _agent_addresses(ticket: Ticket) -> list[str]:
    if ticket.assignee_id and ticket.assignee.email:
        return [ticket.assignee.email]
    return list(
        User.objects.filter(is_active=True, role__in=User.STAFF_ROLES)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
    )


def _warn(ticket: Ticket, *, now: datetime) -> None:
    recipients = _agent_addresses(ticket)
    if recipients:
        notification_queue(
            kind="desk.sla_warning",
            to=recipients,
            subject=f"[{ticket.ref}] response target at {ticket.target_at:%Y-%m-%d %H:%M %Z}",
            body_text=render_to_string("desk/email/sla_warning.txt", {"ticket": ticket}),
            # One warning per ticket and target: a second worker, or a retry, queues nothing.
            dedupe_key=f"sla-warning:{ticket.pk}:{ticket.target_at.isoformat()}",
            now=now,
        )
    ticket.warned_at = now
    TicketEvent.objects.create(
        ticket=ticket, kind="warned", at=now, data={"target_at": ticket.target_at.isoformat()}
    )


def clock_check(*, ticket: Ticket, now: datetime) -> None:
    """1. Warn the agents once the warning time has come (if the target has not passed).
    2. Mark the clock breached when the target passes without a first response.
    3. Record when the outer limit passes too.
    4. Store when the clock next needs a look."""
    policy = policy_in_force().policy
    if ticket.clock_state == ClockState.RUNNING and ticket.first_response_at is None:
        if ticket.warned_at is None and now >= warning_time(
            policy=policy, target_at=ticket.target_at
        ):
            if now < ticket.target_at:
                _warn(ticket, now=now)
            else:
                ticket.warned_at = now  # too late to warn: the breach below says it all
        if now >= ticket.target_at:
            ticket.clock_state = ClockState.BREACHED
            ticket.breached_at = now
            TicketEvent.objects.create(
                ticket=ticket,
                kind="target_missed",
                at=now,
                data={"target_at": ticket.target_at.isoformat()},
            )
    if (
        ticket.clock_state == ClockState.BREACHED
        and ticket.first_response_at is None
        and ticket.limit_passed_at is None
        and now >= ticket.limit_at
    ):
        ticket.limit_passed_at = now
        TicketEvent.objects.create(
            ticket=ticket,
            kind="limit_passed",
            at=now,
            data={"limit_at": ticket.limit_at.isoformat()},
        )
    ticket.clock_due_at = next_clock_due(ticket, policy=policy)


def clock_claim_and_check(*, pk: int, due_at: datetime, now: datetime) -> bool:
    """Handle one due clock if no other worker has; True when this call handled it."""
    with transaction.atomic():
        # The conditional update is the claim: a second worker that read the same due time
        # changes no row and moves on, so nobody warns twice.
        if not Ticket.objects.filter(pk=pk, clock_due_at=due_at).update(clock_due_at=None):
            return False
        ticket = Ticket.objects.select_related("assignee", "client").get(pk=pk)
        clock_check(ticket=ticket, now=now)
        ticket.save(
            update_fields=[
                "clock_state",
                "warned_at",
                "breached_at",
                "limit_passed_at",
                "clock_due_at",
            ]
        )
    return True


def clocks_process_due(*, now: datetime) -> int:
    """Handle every clock whose due time has come, each claimed by one worker only."""
    due = list(
        Ticket.objects.filter(clock_due_at__lte=now)
        .order_by("clock_due_at")
        .values_list("pk", "clock_due_at")[:BATCH]
    )
    return sum(clock_claim_and_check(pk=pk, due_at=due_at, now=now) for pk, due_at in due)
