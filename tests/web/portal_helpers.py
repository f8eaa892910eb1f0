"""Builders for the portal tests: tickets with every message kind, sent quotes, logged time."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from operant.desk.models import Message, MessageKind, Ticket

if TYPE_CHECKING:
    from operant.accounts.models import Client, User
    from operant.quotes.models import Quote

NOTE_TEXT = "INTERNAL: client is grumpy, do not mention the refund"


def ticket_for(client: Client, subject: str = "Reminders stopped") -> Ticket:
    """A ticket opened the way the desk opens any, plus an internal note on it."""
    from operant.desk.services import ticket_open

    contact = client.contacts.first()
    now = timezone.now()
    ticket = ticket_open(
        client=client,
        contact=contact,
        requester_email=contact.email,
        subject=subject,
        text="No reminder texts went out today.",
        received_at=now,
        now=now,
    )
    Message.objects.create(
        ticket=ticket,
        kind=MessageKind.INBOUND,
        from_address=contact.email,
        subject=subject,
        text="No reminder texts went out today.",
        created_at=now,
    )
    Message.objects.create(ticket=ticket, kind=MessageKind.NOTE, text=NOTE_TEXT, created_at=now)
    Message.objects.create(
        ticket=ticket,
        kind=MessageKind.OUTBOUND,
        text="We are looking into it now.",
        created_at=now,
    )
    return ticket


def sent_quote(client: Client, agent: User, *, now: datetime | None = None) -> Quote:
    """A sent quote of two hours at the policy rate on an out-of-scope ticket of ``client``."""
    from operant.desk.services import ticket_reclassify
    from operant.quotes.services import quote_create, quote_line_add, quote_send

    now = now or timezone.now()
    ticket = ticket_reclassify(
        ticket=ticket_for(client, "Add Instagram booking replies"),
        request_class="out_of_scope",
        scope_category="new_feature",
        actor=agent,
        now=now,
    )
    quote = quote_create(
        client=client,
        ticket=ticket,
        title="Instagram booking replies",
        scope_category="new_feature",
        created_by=agent,
        now=now,
    )
    quote_line_add(quote=quote, kind="hours", description="Build the DM flow", hours="2", now=now)
    return quote_send(quote=quote, actor=agent, now=now)


def log_adjustment(ticket: Ticket, agent: User, minutes: int) -> None:
    from operant.allowance.models import EntryKind
    from operant.allowance.services import time_log

    time_log(
        ticket=ticket, agent=agent, minutes=minutes, kind=EntryKind.ADJUSTMENT, now=timezone.now()
    )
