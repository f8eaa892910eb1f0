"""What follows a flip: the outage ticket, the operator's alert, the client's notice, the
downtime record (clause 01: monitoring; clause 03: same-day response to outages).

1. Going down opens a downtime interval, then, unless alerts are quiet (paused, planned
   maintenance) or the workflow is flapping past its first alert:
   - the workflow's open outage ticket gets the news, or a new outage ticket is opened through
     the desk (source "monitoring", class outage, its same-day target, the policy clause);
   - the operator on duty is alerted;
   - the client is told (the ticket's acknowledgement, or a notice on the ticket it has).
2. Coming back from down closes the interval and leaves a note on the ticket; the client and
   the operator are told, with the downtime.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.template.loader import render_to_string

from operant.accounts.models import Contact
from operant.core.timefmt import human_datetime
from operant.desk.classify import CLASS_CLAUSE, Classification
from operant.desk.models import RequestClass, Ticket, TicketSource
from operant.desk.services import (
    ticket_acknowledge,
    ticket_history_record,
    ticket_note,
    ticket_notice,
    ticket_open,
)
from operant.monitoring.alerts import operators_alert
from operant.monitoring.models import Downtime, Flip, Workflow, WorkflowState
from operant.monitoring.queries import open_outage_ticket
from operant.monitoring.quiet import alerts_quiet_reason
from operant.monitoring.transitions import workflow_reassess
from operant.policy.loader import current_policy

# The outcome a flip keeps when its consequences were withheld: "quiet: <why>".
QUIET_OUTCOME = "quiet: "

FROM_NAME = "Operant monitoring"
ALERTED = "alerted"
FLAPPING = "alerted (flapping)"
DAMPED = "damped"


def duration_text(seconds: int) -> str:
    minutes = max(seconds // 60, 1 if seconds else 0)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [f"{days}d"] * bool(days) + [f"{hours}h"] * bool(hours) + [f"{minutes}m"]
    return " ".join(parts)


def _flap_state(flip: Flip, now: datetime) -> str:
    """ "" normally; FLAPPING for the first alert once flips crowd the policy's window;
    DAMPED for every flip after that within the window."""
    terms = current_policy().monitoring
    since = now - timedelta(minutes=terms.flap_window_minutes)
    recent = Flip.objects.filter(workflow_id=flip.workflow_id, created_at__gte=since)
    if recent.count() <= terms.flap_limit:
        return ""
    if recent.filter(outcome=FLAPPING).exists():
        return DAMPED
    return FLAPPING


def _damped_since_last_alert(flip: Flip) -> int:
    """How many flips went unalerted (flapping) since this workflow's last alert: the summary
    the next alert carries."""
    flips = Flip.objects.filter(workflow_id=flip.workflow_id, pk__lt=flip.pk)
    last_alert = (
        flips.filter(outcome__in=[ALERTED, FLAPPING]).order_by("-pk").values_list("pk", flat=True)
    ).first()
    return flips.filter(outcome=DAMPED, pk__gt=last_alert or 0).count()


def _requester(workflow: Workflow) -> tuple[Contact | None, str]:
    contact = workflow.client.contacts.order_by("pk").first()
    if contact is not None:
        return contact, contact.email
    return None, workflow.client.billing_email


def _open_ticket(workflow: Workflow, flip: Flip, now: datetime) -> Ticket | None:
    ticket = open_outage_ticket(workflow)
    if ticket is not None:
        return ticket
    contact, requester = _requester(workflow)
    if not requester:
        return None
    reason = f"monitoring: {workflow.name} went down ({flip.reason})"
    verdict = Classification(
        request_class=RequestClass.OUTAGE,
        scope_category="",
        clause=CLASS_CLAUSE[RequestClass.OUTAGE],
        reasons=(reason,),
        signals=("monitoring",),
    )
    ticket = ticket_open(
        client=workflow.client,
        contact=contact,
        requester_email=requester,
        subject=f"{workflow.name} is down",
        text=render_to_string(
            "monitoring/email/ticket_text.txt", {"workflow": workflow, "flip": flip}
        ),
        received_at=now,
        now=now,
        source=TicketSource.MONITORING,
        verdict=verdict,
    )
    Workflow.objects.filter(pk=workflow.pk).update(outage_ticket=ticket)
    workflow.outage_ticket = ticket
    if current_policy().monitoring.notify_clients:
        ticket_acknowledge(ticket=ticket, now=now)
    return ticket


def _went_down(flip: Flip, now: datetime) -> str:
    workflow = flip.workflow
    if not Downtime.objects.filter(workflow=workflow, ended_at=None).exists():
        Downtime.objects.create(workflow=workflow, started_at=flip.created_at, reason=flip.reason)
    quiet = alerts_quiet_reason(workflow, now)
    if quiet:
        return f"{QUIET_OUTCOME}{quiet}"[:255]
    flapping = _flap_state(flip, now)
    existing = workflow.outage_ticket
    ticket = _open_ticket(workflow, flip, now)
    if ticket is not None:
        Downtime.objects.filter(workflow=workflow, ended_at=None).update(ticket=ticket)
        if existing is not None and ticket.pk == existing.pk:
            ticket_history_record(
                ticket_id=ticket.pk,
                kind="workflow_down",
                now=now,
                data={"workflow": workflow.name, "reason": flip.reason, "flip": flip.pk},
            )
            if flapping != DAMPED and current_policy().monitoring.notify_clients:
                ticket_notice(
                    ticket=ticket,
                    text=render_to_string(
                        "monitoring/email/down_again.txt", _context(workflow, flip, ticket)
                    ),
                    dedupe_key=f"monitoring-down:{flip.pk}",
                    now=now,
                    kind="monitoring.down",
                )
    if flapping == DAMPED:
        return DAMPED
    operators_alert(
        subject=f"DOWN: {workflow.name} ({workflow.client.name})",
        text=render_to_string(
            "monitoring/email/operator_down.txt",
            {
                **_context(workflow, flip, ticket),
                "flapping": flapping == FLAPPING,
                "damped": _damped_since_last_alert(flip),
            },
        ),
        dedupe_key=f"monitoring-alert:{flip.pk}",
        now=now,
    )
    return flapping or ALERTED


def _context(workflow: Workflow, flip: Flip, ticket: Ticket | None) -> dict[str, object]:
    return {
        "workflow": workflow,
        "flip": flip,
        "ticket": ticket,
        "at_local": human_datetime(flip.created_at, workflow.client.zone),
        "window_minutes": current_policy().monitoring.flap_window_minutes,
    }


def _came_back(flip: Flip, now: datetime) -> str:
    workflow = flip.workflow
    downtime = (
        Downtime.objects.filter(workflow=workflow, ended_at=None).order_by("-started_at").first()
    )
    if downtime is None:
        return "no action"
    Downtime.objects.filter(pk=downtime.pk).update(ended_at=flip.created_at)
    downtime.ended_at = flip.created_at
    context = {
        **_context(workflow, flip, downtime.ticket),
        "downtime": duration_text(downtime.seconds(now)),
    }
    quiet = alerts_quiet_reason(workflow, now)
    flapping = _flap_state(flip, now)
    ticket = downtime.ticket
    if ticket is not None:
        ticket_note(
            ticket=ticket,
            author=None,
            from_name=FROM_NAME,
            text=render_to_string("monitoring/email/recovered_note.txt", context),
            now=now,
        )
        if not quiet and flapping != DAMPED and current_policy().monitoring.notify_clients:
            ticket_notice(
                ticket=ticket,
                text=render_to_string("monitoring/email/recovered_client.txt", context),
                dedupe_key=f"monitoring-up:{flip.pk}",
                now=now,
                kind="monitoring.recovered",
            )
    if quiet:
        return f"{QUIET_OUTCOME}{quiet}"[:255]
    if flapping == DAMPED:
        return DAMPED
    operators_alert(
        subject=f"UP: {workflow.name} ({workflow.client.name}) after {context['downtime']}",
        text=render_to_string(
            "monitoring/email/operator_up.txt",
            {**context, "flapping": flapping == FLAPPING, "damped": _damped_since_last_alert(flip)},
        ),
        dedupe_key=f"monitoring-alert:{flip.pk}",
        now=now,
    )
    return flapping or ALERTED


def flip_consequences(*, flip: Flip, now: datetime) -> str:
    """Act on one claimed flip; returns what was done (kept on the flip)."""
    if flip.new_state == WorkflowState.DOWN:
        return _went_down(flip, now)
    if flip.old_state == WorkflowState.DOWN:
        return _came_back(flip, now)
    return "no action"


def workflow_quiet_over(*, workflow: Workflow, now: datetime) -> str | None:
    """A quiet period that covered ``workflow`` is over (a maintenance window ended): look at
    it again, and when it is still down and the flip that took it down was kept quiet, act on
    that flip now (the ticket, the alerts it was spared), recording what was done on it.
    Returns that, or None when nothing was owed."""
    workflow_reassess(workflow=workflow, now=now)
    if workflow.state != WorkflowState.DOWN or alerts_quiet_reason(workflow, now):
        return None
    last = Flip.objects.filter(workflow_id=workflow.pk).order_by("-pk").first()
    if last is None or last.new_state != WorkflowState.DOWN:
        return None
    if not last.outcome.startswith(QUIET_OUTCOME):
        return None
    outcome = flip_consequences(flip=last, now=now)
    Flip.objects.filter(pk=last.pk).update(outcome=outcome[:255])
    return outcome
