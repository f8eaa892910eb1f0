"""The bulk form of the ticket changes that mail brings: tickets opened, client messages stored,
replies recorded, bounces flagged, acknowledgements queued.

The inbound pipeline routes a whole batch of mail against one ``TicketWrites``; ``ticket_open``
is a batch of one. Each change applies to the ticket objects at once, so a later message of the
same batch sees it (a reply to a ticket opened two messages earlier, a paused clock already
running again); the rows reach the database at ``flush``, parents first, one statement per
kind. Only the desk writes the desk's tables: callers above it hand over unsaved rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings

from operant.core.bulk import bulk_insert, bulk_set
from operant.desk.classify import Classification
from operant.desk.clock import (
    clock_apply_deadlines,
    clock_end_pause,
    clock_waits_on_client,
)
from operant.desk.emails import acknowledgement_content, acknowledgement_extras
from operant.desk.models import (
    ACK_KIND,
    Attachment,
    ClockPause,
    Message,
    MessageKind,
    Ticket,
    TicketEvent,
    TicketState,
)
from operant.notify.services import (
    new_message_id,
    notification_build,
    notifications_queue_many,
)

if TYPE_CHECKING:
    from operant.policy.services import PolicyInForce

# What a client's reply may change on a ticket (``TicketWrites.client_replied``).
_REPLY_FIELDS = [
    "state",
    "last_message_at",
    "updated_at",
    "clock_state",
    "paused_at",
    "pause_reason",
    "paused_seconds",
    "target_at",
    "limit_at",
    "warned_at",
    "breached_at",
    "limit_passed_at",
    "clock_due_at",
]
_FLAG_FIELDS = ["flagged", "flag_reason", "updated_at"]
# The history event of a new ticket that got no acknowledgement, and why.
ACK_WITHHELD = "acknowledgement_withheld"


def verdict_data(verdict: Classification) -> dict[str, Any]:
    """How a classification is kept in a ticket's history."""
    return {
        "class": verdict.request_class,
        "scope_category": verdict.scope_category,
        "clause": verdict.clause,
        "reasons": list(verdict.reasons),
        # The machine keys ("integration:twilio_sms", "outage"): what higher apps match on.
        "signals": list(verdict.signals),
    }


class TicketWrites:
    """One batch's pending desk writes. Use each method at most in the order a person would
    (open before storing on it); ``flush`` before reading the rows back."""

    def __init__(self, *, now: datetime, in_force: PolicyInForce) -> None:
        self.now = now
        self.in_force = in_force
        self._new: list[Ticket] = []
        self._events: list[TicketEvent] = []
        self._messages: list[Message] = []
        self._attachments: list[Attachment] = []
        # (ticket, the request's Message-ID, recipient) per acknowledgement to queue.
        self._acks: list[tuple[Ticket, str | None, str]] = []
        # Tickets already stored whose row changed, by key, with the fields to write.
        self._replied: dict[int, Ticket] = {}
        self._flagged: dict[int, Ticket] = {}
        self._pauses_ended: set[int] = set()
        # The acknowledgement messages written, by ticket key (for callers that show them).
        self.acknowledgements: dict[int, Message] = {}

    # --- changes ----------------------------------------------------------------------------

    def open(self, ticket: Ticket, verdict: Classification) -> None:
        """A new ticket (built by ``ticket_build``) and the start of its history."""
        self._new.append(ticket)
        self._events.append(
            TicketEvent(
                ticket=ticket,
                kind="created",
                at=self.now,
                data={"requester": ticket.requester_email},
            )
        )
        self._events.append(
            TicketEvent(
                ticket=ticket,
                kind="classified",
                at=self.now,
                data=verdict_data(verdict),
                policy_version=self.in_force.version,
            )
        )

    def store_message(self, message: Message, attachments: list[Attachment]) -> None:
        """A message on a ticket (unsaved, its attachments pointing at it)."""
        self._messages.append(message)
        self._attachments.extend(attachments)

    def client_replied(self, ticket: Ticket) -> None:
        """The client wrote again: the ticket is open for us once more, and a clock that waited
        on the client runs again with its deadlines pushed back by the pause."""
        before = ticket.state
        ticket.state = TicketState.OPEN
        ticket.last_message_at = self.now
        ticket.updated_at = self.now
        if clock_waits_on_client(ticket):
            policy = self.in_force.policy
            clock_end_pause(ticket, now=self.now, policy=policy)
            clock_apply_deadlines(ticket, policy=policy)
            if ticket.pk is not None:
                self._pauses_ended.add(ticket.pk)
        self._changed(self._replied, ticket)
        self._events.append(
            TicketEvent(
                ticket=ticket, kind="client_replied", at=self.now, data={"from_state": before}
            )
        )

    def flag(self, ticket: Ticket, *, reason: str, event: str, data: dict[str, Any]) -> None:
        """Put the ticket in front of an agent (``reason``), recording ``event`` in its history."""
        ticket.flagged = True
        ticket.flag_reason = reason[:255]
        ticket.updated_at = self.now
        self._changed(self._flagged, ticket)
        self._events.append(TicketEvent(ticket=ticket, kind=event, at=self.now, data=data))

    def acknowledge(
        self, ticket: Ticket, *, request_message_id: str | None, to: str | None = None
    ) -> None:
        """Tell the client we have their request (tickets with a client only; the caller keeps
        the rate limit). ``to``: where the request asked replies to go, if not the requester."""
        if ticket.client is not None:
            self._acks.append((ticket, request_message_id, to or ticket.requester_email))

    def acknowledgement_withheld(self, ticket: Ticket, *, reason: str, flag: bool) -> None:
        """A new ticket gets no acknowledgement (spam, a robot's address): its history says
        why, so an agent knows the client was not told; ``flag`` also puts it in front of one."""
        data = {"reason": reason}
        if flag:
            self.flag(ticket, reason=f"not acknowledged: {reason}", event=ACK_WITHHELD, data=data)
        else:
            self._events.append(
                TicketEvent(ticket=ticket, kind=ACK_WITHHELD, at=self.now, data=data)
            )

    def _changed(self, pending: dict[int, Ticket], ticket: Ticket) -> None:
        # A ticket opened in this batch and not inserted yet carries the change in its insert.
        if ticket.pk is not None:
            pending[ticket.pk] = ticket

    # --- writing ----------------------------------------------------------------------------

    def insert_tickets(self) -> list[Ticket]:
        """Give the tickets opened so far their keys now (what points at them can wait);
        returns them."""
        inserted, self._new = self._new, []
        bulk_insert(Ticket, inserted)
        return inserted

    def flush(self) -> None:
        """Write everything pending, parents first; each kind is one statement."""
        self.insert_tickets()
        events, self._events = self._events, []
        bulk_insert(TicketEvent, events)
        messages, self._messages = self._messages, []
        bulk_insert(Message, messages)
        attachments, self._attachments = self._attachments, []
        bulk_insert(Attachment, attachments)
        if self._acks:
            self._flush_acks()
        if self._pauses_ended:
            ClockPause.objects.filter(ticket_id__in=self._pauses_ended, ended_at=None).update(
                ended_at=self.now
            )
            self._pauses_ended = set()
        replied, self._replied = self._replied, {}
        bulk_set(Ticket, replied.values(), _REPLY_FIELDS)
        flagged, self._flagged = self._flagged, {}
        bulk_set(Ticket, flagged.values(), _FLAG_FIELDS)

    def _flush_acks(self) -> None:
        """Queue the acknowledgements and keep each in its ticket's conversation."""
        acks, self._acks = self._acks, []
        extras = acknowledgement_extras([ticket for ticket, _, _ in acks], self.now)
        notifications = []
        for ticket, request_message_id, recipient in acks:
            subject, body, headers = acknowledgement_content(
                ticket,
                self.in_force.policy,
                request_message_id,
                extra=extras.get(ticket.pk),
            )
            notifications.append(
                notification_build(
                    kind=ACK_KIND,
                    to=[recipient],
                    subject=subject,
                    body_text=body,
                    headers=headers,
                    message_id=new_message_id(),
                    dedupe_key=f"ack:{ticket.pk}",
                    now=self.now,
                )
            )
        queued = {id(n) for n in notifications_queue_many(notifications)}
        messages = [
            Message(
                ticket=ticket,
                kind=MessageKind.ACKNOWLEDGEMENT,
                message_id=notification.message_id,
                from_address=settings.DEFAULT_FROM_EMAIL,
                to=list(notification.to),
                subject=notification.subject,
                text=notification.body_text,
                notification=notification,
                created_at=self.now,
            )
            for (ticket, _, _), notification in zip(acks, notifications, strict=True)
            if id(notification) in queued
        ]
        bulk_insert(Message, messages)
        self.acknowledgements.update((m.ticket.pk, m) for m in messages)
