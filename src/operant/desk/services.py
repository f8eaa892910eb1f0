"""Ticket workflows. Every path (mail, portal, console, API, worker) goes through these."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from operant.core.bulk import chunks
from operant.core.errors import UserError
from operant.core.timefmt import iso_or_none
from operant.desk.classify import (
    CLASS_CLAUSE,
    Classification,
    ClientContext,
    classify_request,
)
from operant.desk.clock import clock_apply_deadlines, clock_end_pause, next_clock_due
from operant.desk.context import client_context
from operant.desk.emails import reply_subject, threading_headers
from operant.desk.models import (
    ClockPause,
    ClockState,
    Message,
    MessageKind,
    RequestClass,
    Ticket,
    TicketEvent,
    TicketSource,
    TicketState,
)
from operant.desk.writes import TicketWrites
from operant.notify.services import new_message_id, notification_queue
from operant.policy.services import PolicyInForce, policy_in_force

if TYPE_CHECKING:
    from operant.accounts.models import Client, Contact, User
    from operant.notify.models import Notification
    from operant.policy.models import PolicyVersion
    from operant.policy.schema import Policy


class TicketError(UserError):
    """A ticket action that cannot be done as asked."""


def ticket_history_record(
    *,
    ticket_id: int,
    kind: str,
    now: datetime,
    actor: User | None = None,
    data: dict[str, Any] | None = None,
    version: PolicyVersion | None = None,
) -> TicketEvent:
    """One line of a ticket's history; apps above the desk record theirs here too (a quote
    sent or accepted shows on its ticket)."""
    return TicketEvent.objects.create(
        ticket_id=ticket_id, kind=kind, at=now, actor=actor, data=data or {}, policy_version=version
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
    ticket_history_record(
        ticket_id=ticket.pk, kind=kind, now=now, actor=actor, data=data, version=version
    )


def ticket_sent_record(
    *, ticket_id: int, notification: Notification, author: User | None, text: str, now: datetime
) -> Message:
    """Keep an email we sent about a ticket in its conversation, so the agent sees what was
    sent and a reply threads to it."""
    return Message.objects.create(
        ticket_id=ticket_id,
        kind=MessageKind.OUTBOUND,
        message_id=notification.message_id,
        author=author,
        from_address=settings.DEFAULT_FROM_EMAIL,
        from_name=author.display_name if author else "",
        to=list(notification.to),
        subject=notification.subject,
        text=text,
        notification=notification,
        created_at=now,
    )


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
    source: str = TicketSource.EMAIL,
    verdict: Classification | None = None,
) -> tuple[Ticket, Classification]:
    """The unsaved ticket ``ticket_open`` would create, classified and with its clock set.
    Pure (no queries) so the batch mail path can build many tickets and insert them at once.
    ``verdict``: a decision the caller already took from evidence (monitoring saw the workflow
    go down), used instead of classifying the words."""
    if verdict is None:
        verdict = classify_request(subject=subject, text=text, context=context)
    ticket = Ticket(
        source=source,
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
    clock_apply_deadlines(ticket, policy=in_force.policy)
    return ticket, verdict


def ticket_open(
    *,
    client: Client | None,
    contact: Contact | None,
    requester_email: str,
    subject: str,
    text: str,
    received_at: datetime,
    now: datetime,
    source: str = TicketSource.EMAIL,
    verdict: Classification | None = None,
) -> Ticket:
    """Open a ticket, classify it under the policy (or take ``verdict``) and start its
    first-response clock."""
    in_force = policy_in_force()
    ticket, verdict = ticket_build(
        source=source,
        verdict=verdict,
        client=client,
        contact=contact,
        requester_email=requester_email,
        subject=subject,
        text=text,
        received_at=received_at,
        now=now,
        in_force=in_force,
        # A caller's verdict is taken as given: no classifier, so no client context to load.
        context=client_context(client, in_force.policy) if verdict is None else None,
    )
    writes = TicketWrites(now=now, in_force=in_force)
    writes.open(ticket, verdict)
    writes.flush()
    return ticket


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
        clock_apply_deadlines(ticket, policy=in_force.policy)
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


def ticket_acknowledge(
    *, ticket: Ticket, now: datetime, request_message_id: str | None = None
) -> Message | None:
    """Tell the client we have their request: reference, class and target in their timezone.
    Once per ticket; an unknown sender learns nothing from us (both: None).
    ``request_message_id``: the request's Message-ID when the caller has it (saves a query)."""
    writes = TicketWrites(now=now, in_force=policy_in_force())
    writes.acknowledge(ticket, request_message_id=request_message_id)
    writes.flush()
    return writes.acknowledgements.get(ticket.pk)


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
        assert notification is not None  # no dedupe key: always queued
        message = ticket_sent_record(
            ticket_id=ticket.pk, notification=notification, author=author, text=text, now=now
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


def ticket_note(
    *, ticket: Ticket, author: User | None, text: str, now: datetime, from_name: str = ""
) -> Message:
    """An internal note: agents only, never sent to the client. Without an author the desk
    wrote it (``from_name`` says which part)."""
    text = text.strip()
    if not text:
        raise TicketError("a note needs some text")
    message = Message.objects.create(
        ticket=ticket,
        kind=MessageKind.NOTE,
        author=author,
        text=text,
        created_at=now,
        from_name=author.display_name if author else from_name,
    )
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=now)
    return message


def ticket_notice(
    *, ticket: Ticket, text: str, dedupe_key: str, now: datetime, kind: str = "desk.notice"
) -> Message | None:
    """Tell the ticket's requester about something the desk noticed (not a reply: the
    first-response clock keeps running). Threaded on the ticket and kept in its conversation.
    Once per ``dedupe_key``; None when already sent."""
    with transaction.atomic():
        notification = notification_queue(
            kind=kind,
            to=[ticket.requester_email],
            subject=reply_subject(ticket),
            body_text=text,
            headers=threading_headers(ticket),
            message_id=new_message_id(),
            dedupe_key=dedupe_key,
            now=now,
        )
        if notification is None:
            return None
        return Message.objects.create(
            ticket=ticket,
            kind=MessageKind.NOTICE,
            message_id=notification.message_id,
            from_address=settings.DEFAULT_FROM_EMAIL,
            to=list(notification.to),
            subject=notification.subject,
            text=text,
            notification=notification,
            created_at=now,
        )


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
    """End the clock's pause and close its recorded interval."""
    clock_end_pause(ticket, now=now, policy=policy)
    ClockPause.objects.filter(ticket=ticket, ended_at=None).update(ended_at=now)


def ticket_clock_resume(*, ticket: Ticket, actor: User | None, now: datetime) -> Ticket:
    in_force = policy_in_force()
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.clock_state != ClockState.PAUSED:
            raise TicketError("the clock is not paused")
        _close_pause(ticket, now=now, policy=in_force.policy)
        clock_apply_deadlines(ticket, policy=in_force.policy)
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


def ticket_clock_resume_reason(
    *, ticket: Ticket, reason: str, actor: User | None, now: datetime
) -> bool:
    """Resume the clock if it is paused for ``reason`` (an app ending its own pause: a client's
    reply or an agent may have resumed it already); False when it was not."""
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if locked.clock_state != ClockState.PAUSED or locked.pause_reason != reason:
            return False
        ticket_clock_resume(ticket=locked, actor=actor, now=now)
    return True


def tickets_for_routing(pks: list[int]) -> dict[int, Ticket]:
    """The tickets a batch of mail may change, by key, locked until its transaction ends (as
    every ticket workflow locks what it changes). Locked in key order, so two batches never
    wait on each other in a circle."""
    tickets: dict[int, Ticket] = {}
    for chunk in chunks(sorted(pks)):
        locked = Ticket.objects.select_for_update().filter(pk__in=chunk).order_by("pk")
        tickets.update((t.pk, t) for t in locked)
    return tickets
