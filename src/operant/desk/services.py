"""Ticket workflows. Every path (mail, portal, console, API, worker) goes through these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string

from operant.core.errors import UserError
from operant.core.timefmt import human_datetime, iso_or_none
from operant.desk.classify import (
    CLASS_CLAUSE,
    Classification,
    ClientContext,
    IntegrationInfo,
    classify_request,
)
from operant.desk.clock import deadlines_for, next_clock_due
from operant.desk.models import (
    ACK_KIND,
    ClockPause,
    ClockState,
    Message,
    MessageKind,
    RequestClass,
    Ticket,
    TicketEvent,
    TicketState,
)
from operant.mail.loops import LOOP_HEADER
from operant.notify.services import new_message_id, notification_queue
from operant.policy.loader import current_policy
from operant.policy.services import policy_version_record

if TYPE_CHECKING:
    from operant.accounts.models import Client, Contact, User
    from operant.policy.models import PolicyVersion
    from operant.policy.schema import Policy

# The acknowledgement a new request from a known client gets (operant.mail.warmup preloads it).
ACK_TEMPLATE = "desk/email/acknowledgement.txt"


class TicketError(UserError):
    """A ticket action that cannot be done as asked."""


@dataclass(frozen=True)
class PolicyInForce:
    policy: Policy
    version: PolicyVersion


def policy_in_force() -> PolicyInForce:
    policy = current_policy()
    return PolicyInForce(policy=policy, version=policy_version_record(policy=policy))


def client_context(client: Client | None, policy: Policy) -> ClientContext | None:
    """What the classifier needs to know of the client: its package and the catalog."""
    if client is None:
        return None
    from operant.accounts.models import Integration, ServicePackage

    def info(integration: Integration) -> IntegrationInfo:
        return IntegrationInfo(
            key=integration.key, name=integration.name, vendor_key=integration.vendor_key
        )

    # One query: the whole catalog, each integration marked whether the package includes it.
    catalog = list(
        Integration.objects.annotate(
            included=Exists(
                ServicePackage.integrations.through.objects.filter(
                    servicepackage_id=client.package_id, integration_id=OuterRef("pk")
                )
            )
        )
    )
    return ClientContext(
        included=tuple(info(i) for i in catalog if i.included),
        catalog=tuple(info(i) for i in catalog),
        out_of_scope_keys=tuple(category.key for category in policy.out_of_scope),
        minor_request_limit_minutes=policy.allowance.minor_request_limit_minutes,
        package_name=client.package.name,
    )


def _event(
    ticket: Ticket,
    kind: str,
    *,
    now: datetime,
    actor: User | None = None,
    data: dict[str, Any] | None = None,
    version: PolicyVersion | None = None,
) -> None:
    TicketEvent.objects.create(
        ticket=ticket, kind=kind, at=now, actor=actor, data=data or {}, policy_version=version
    )


def _apply_deadlines(ticket: Ticket, *, in_force: PolicyInForce, now: datetime) -> None:
    """Recompute target and limit from the policy and settle the clock's state at ``now``."""
    ticket.target_at, ticket.limit_at = deadlines_for(
        policy=in_force.policy,
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
        if ticket.warned_at and ticket.warned_at < ticket.target_at - timedelta(
            hours=in_force.policy.response.warning_lead_hours
        ):
            ticket.warned_at = None  # a later target deserves its own warning
    ticket.clock_due_at = next_clock_due(ticket, policy=in_force.policy)


def ticket_build(
    *,
    client: Client | None,
    contact: Contact | None,
    requester_email: str,
    subject: str,
    text: str,
    received_at: datetime,
    now: datetime,
    in_force: PolicyInForce,
    context: ClientContext | None,
) -> tuple[Ticket, Classification]:
    """The unsaved ticket ``ticket_open`` would create, classified and with its clock set.
    Pure (no queries) so the batch mail path can build many tickets and insert them at once."""
    verdict = classify_request(subject=subject, text=text, context=context)
    ticket = Ticket(
        client=client,
        contact=contact,
        requester_email=requester_email,
        subject=subject[:998] or "(no subject)",
        request_class=verdict.request_class,
        scope_category=verdict.scope_category,
        classification_reasons=list(verdict.reasons),
        classification_clause=verdict.clause,
        policy_version=in_force.version,
        created_at=now,
        updated_at=now,
        last_message_at=received_at,
        received_at=received_at,
    )
    _apply_deadlines(ticket, in_force=in_force, now=now)
    return ticket, verdict


def ticket_open_events(
    ticket: Ticket, verdict: Classification, *, in_force: PolicyInForce, now: datetime
) -> list[TicketEvent]:
    """The events a newly saved ticket starts its history with (unsaved)."""
    return [
        TicketEvent(
            ticket=ticket, kind="created", at=now, data={"requester": ticket.requester_email}
        ),
        TicketEvent(
            ticket=ticket,
            kind="classified",
            at=now,
            data=_verdict_data(verdict),
            policy_version=in_force.version,
        ),
    ]


def ticket_open(
    *,
    client: Client | None,
    contact: Contact | None,
    requester_email: str,
    subject: str,
    text: str,
    received_at: datetime,
    now: datetime,
) -> Ticket:
    """Open a ticket, classify it under the policy and start its first-response clock."""
    in_force = policy_in_force()
    ticket, verdict = ticket_build(
        client=client,
        contact=contact,
        requester_email=requester_email,
        subject=subject,
        text=text,
        received_at=received_at,
        now=now,
        in_force=in_force,
        context=client_context(client, in_force.policy),
    )
    ticket.save()
    TicketEvent.objects.bulk_create(ticket_open_events(ticket, verdict, in_force=in_force, now=now))
    return ticket


def _verdict_data(verdict: Classification) -> dict[str, Any]:
    return {
        "class": verdict.request_class,
        "scope_category": verdict.scope_category,
        "clause": verdict.clause,
        "reasons": list(verdict.reasons),
    }


def ticket_reclassify(
    *,
    ticket: Ticket,
    request_class: str,
    scope_category: str = "",
    actor: User | None,
    now: datetime,
    reasons: list[str] | None = None,
) -> Ticket:
    """An agent's verdict replaces the classifier's; the clock is recomputed from the policy.
    ``reasons``: why, when a rule rather than a person decided (default: who set it)."""
    in_force = policy_in_force()
    if request_class not in RequestClass.values:
        raise TicketError(
            f"unknown class {request_class!r}; expected one of {', '.join(RequestClass.values)}"
        )
    scope_keys = [category.key for category in in_force.policy.out_of_scope]
    if request_class == RequestClass.OUT_OF_SCOPE:
        if scope_category not in scope_keys:
            raise TicketError(
                f"out_of_scope needs a scope category, one of {', '.join(scope_keys)}"
            )
    elif scope_category:
        raise TicketError("a scope category goes only with the out_of_scope class")
    before = {"class": ticket.request_class, "scope_category": ticket.scope_category}
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        ticket.request_class = request_class
        ticket.scope_category = scope_category
        ticket.classification_clause = CLASS_CLAUSE[request_class]
        ticket.classification_reasons = reasons or [
            f"set by {actor.display_name if actor else 'an agent'}"
        ]
        ticket.policy_version = in_force.version
        ticket.updated_at = now
        _apply_deadlines(ticket, in_force=in_force, now=now)
        ticket.save()
        _event(
            ticket,
            "reclassified",
            now=now,
            actor=actor,
            version=in_force.version,
            data={
                "from": before,
                "to": {"class": request_class, "scope_category": scope_category},
                "clause": ticket.classification_clause,
            },
        )
    return ticket


def threading_headers(ticket: Ticket, *, known_ids: list[str] | None = None) -> dict[str, str]:
    """In-Reply-To and References pointing at the client's latest message, plus our loop mark.
    ``known_ids`` saves the query when the caller already knows the thread (a new ticket)."""
    headers = {LOOP_HEADER: "1"}
    ids = known_ids
    if ids is None:
        ids = list(
            ticket.messages.exclude(message_id=None)
            .order_by("created_at")
            .values_list("message_id", flat=True)
        )
    if ids:
        headers["In-Reply-To"] = f"<{ids[-1]}>"
        headers["References"] = " ".join(f"<{i}>" for i in ids[-20:])
    return headers


def reply_subject(ticket: Ticket) -> str:
    subject = ticket.subject
    if not subject.lower().startswith("re:"):
        subject = f"Re: {subject}"
    return f"{subject} [{ticket.ref}]"


def acknowledgement_content(
    ticket: Ticket,
    policy: Policy,
    request_message_id: str | None,
    *,
    now: datetime,
    allowance: Any = None,
) -> tuple[str, str, dict[str, str]]:
    """Subject, body and threading headers of a ticket's acknowledgement (the ticket has a
    client). Shared by ``ticket_acknowledge`` and the batch mail path, so both say the same.
    ``allowance``: the client's balance for the month when the caller already has it."""
    assert ticket.client is not None
    context = {
        "ticket": ticket,
        "policy": policy,
        "class_label": RequestClass(ticket.request_class).label,
        "target_local": human_datetime(ticket.target_at, ticket.client.zone)
        if ticket.target_at
        else None,
        "support_email": policy.contact.support_email,
    }
    if ticket.request_class == RequestClass.ADJUSTMENT:
        # Clause 01: a client asking for a minor adjustment learns what this month has left.
        from operant.allowance.services import allowance_balance, month_of

        if allowance is None:
            allowance = allowance_balance(
                client=ticket.client, month=month_of(client=ticket.client, when=now)
            )
        context["allowance"] = allowance
    return (
        reply_subject(ticket),
        render_to_string(ACK_TEMPLATE, context),
        threading_headers(ticket, known_ids=[request_message_id] if request_message_id else None),
    )


def ticket_acknowledge(
    *, ticket: Ticket, now: datetime, request_message_id: str | None = None
) -> Message | None:
    """Tell the client we have their request: reference, class and target in their timezone.
    ``request_message_id``: the request's Message-ID when the caller has it (saves a query)."""
    if ticket.client is None:
        return None  # an unknown sender learns nothing from us
    policy = current_policy()
    message_id = new_message_id()
    subject, body, headers = acknowledgement_content(ticket, policy, request_message_id, now=now)
    notification = notification_queue(
        kind=ACK_KIND,
        to=[ticket.requester_email],
        subject=subject,
        body_text=body,
        headers=headers,
        message_id=message_id,
        dedupe_key=f"ack:{ticket.pk}",
        now=now,
    )
    if notification is None:
        return None
    return Message.objects.create(
        ticket=ticket,
        kind=MessageKind.ACKNOWLEDGEMENT,
        message_id=message_id,
        from_address=settings.DEFAULT_FROM_EMAIL,
        to=[ticket.requester_email],
        subject=notification.subject,
        text=notification.body_text,
        notification=notification,
        created_at=now,
    )


def ticket_reply(*, ticket: Ticket, author: User, text: str, now: datetime) -> Message:
    """An agent answers the client: the message goes out threaded, the first reply stops the
    first-response clock, and the ticket waits on the client."""
    text = text.strip()
    if not text:
        raise TicketError("a reply needs some text")
    in_force = policy_in_force()
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        message_id = new_message_id()
        notification = notification_queue(
            kind="desk.reply",
            to=[ticket.requester_email],
            subject=reply_subject(ticket),
            body_text=render_to_string(
                "desk/email/reply.txt", {"ticket": ticket, "text": text, "author": author}
            ),
            headers=threading_headers(ticket),
            message_id=message_id,
            now=now,
        )
        message = Message.objects.create(
            ticket=ticket,
            kind=MessageKind.OUTBOUND,
            message_id=message_id,
            author=author,
            from_address=settings.DEFAULT_FROM_EMAIL,
            from_name=author.display_name,
            to=[ticket.requester_email],
            subject=reply_subject(ticket),
            text=text,
            notification=notification,
            created_at=now,
        )
        if ticket.first_response_at is None:
            if ticket.clock_state == ClockState.PAUSED:
                _close_pause(ticket, now=now, policy=in_force.policy)
            ticket.first_response_at = now
            met = ticket.target_at is None or now <= ticket.target_at
            ticket.clock_state = ClockState.MET if met else ClockState.BREACHED
            ticket.clock_due_at = None
            _event(
                ticket,
                "first_response",
                now=now,
                actor=author,
                data={"met": met, "target_at": iso_or_none(ticket.target_at)},
            )
        ticket.state = TicketState.WAITING
        ticket.updated_at = now
        ticket.save()
        _event(ticket, "replied", now=now, actor=author, data={"message": message.pk})
    return message


def ticket_note(*, ticket: Ticket, author: User, text: str, now: datetime) -> Message:
    """An internal note: agents only, never sent to the client."""
    text = text.strip()
    if not text:
        raise TicketError("a note needs some text")
    message = Message.objects.create(
        ticket=ticket,
        kind=MessageKind.NOTE,
        author=author,
        text=text,
        created_at=now,
        from_name=author.display_name,
    )
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=now)
    return message


def ticket_assign(*, ticket: Ticket, assignee: User | None, actor: User, now: datetime) -> Ticket:
    if assignee is not None and not assignee.is_agent:
        raise TicketError("tickets can be assigned only to Operant staff")
    ticket.assignee = assignee
    ticket.updated_at = now
    ticket.save(update_fields=["assignee", "updated_at"])
    _event(
        ticket,
        "assigned",
        now=now,
        actor=actor,
        data={"assignee": assignee.email if assignee else None},
    )
    return ticket


def ticket_set_state(*, ticket: Ticket, state: str, actor: User | None, now: datetime) -> Ticket:
    if state not in TicketState.values:
        raise TicketError(
            f"unknown state {state!r}; expected one of {', '.join(TicketState.values)}"
        )
    before = ticket.state
    ticket.state = state
    ticket.updated_at = now
    ticket.save(update_fields=["state", "updated_at"])
    _event(ticket, "state_changed", now=now, actor=actor, data={"from": before, "to": state})
    return ticket


def ticket_clock_pause(*, ticket: Ticket, reason: str, actor: User | None, now: datetime) -> Ticket:
    """Stop the clock (e.g. waiting on the client for information we cannot do without)."""
    in_force = policy_in_force()
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.clock_state != ClockState.RUNNING:
            raise TicketError(f"the clock is {ticket.clock_state}, not running")
        ticket.clock_state = ClockState.PAUSED
        ticket.paused_at = now
        ticket.pause_reason = reason
        ticket.clock_due_at = next_clock_due(ticket, policy=in_force.policy)
        ticket.updated_at = now
        ticket.save()
        ClockPause.objects.create(ticket=ticket, reason=reason, started_at=now)
        _event(ticket, "clock_paused", now=now, actor=actor, data={"reason": reason})
    return ticket


def _close_pause(ticket: Ticket, *, now: datetime, policy: Policy) -> None:
    """Record the pause's end and add its business time to the clock's paused total."""
    assert ticket.paused_at is not None
    paused = max(policy.business_calendar.elapsed(ticket.paused_at, now), timedelta(0))
    ticket.paused_seconds += int(paused.total_seconds())
    ClockPause.objects.filter(ticket=ticket, ended_at=None).update(ended_at=now)
    ticket.clock_state = ClockState.RUNNING
    ticket.paused_at = None
    ticket.pause_reason = ""


def ticket_clock_resume(*, ticket: Ticket, actor: User | None, now: datetime) -> Ticket:
    in_force = policy_in_force()
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.clock_state != ClockState.PAUSED:
            raise TicketError("the clock is not paused")
        _close_pause(ticket, now=now, policy=in_force.policy)
        _apply_deadlines(ticket, in_force=in_force, now=now)
        ticket.updated_at = now
        ticket.save()
        _event(
            ticket,
            "clock_resumed",
            now=now,
            actor=actor,
            data={
                "target_at": iso_or_none(ticket.target_at),
                "limit_at": iso_or_none(ticket.limit_at),
            },
        )
    return ticket


def ticket_client_replied(*, ticket: Ticket, now: datetime) -> Ticket:
    """The client wrote again: the ticket is open for us once more; a clock that waited on the
    client runs again."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        before = ticket.state
        ticket.state = TicketState.OPEN
        ticket.last_message_at = now
        ticket.updated_at = now
        if ticket.clock_state == ClockState.PAUSED and ticket.pause_reason == "waiting_on_client":
            in_force = policy_in_force()
            _close_pause(ticket, now=now, policy=in_force.policy)
            _apply_deadlines(ticket, in_force=in_force, now=now)
        ticket.save()
        _event(ticket, "client_replied", now=now, data={"from_state": before})
    return ticket
