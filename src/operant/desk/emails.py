"""What the desk's emails say and how they thread: subjects, threading headers, and the
acknowledgement a new request gets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string

from operant.core.timefmt import human_datetime
from operant.desk.models import RequestClass, Ticket
from operant.notify.loops import LOOP_HEADER

if TYPE_CHECKING:
    from operant.policy.schema import Policy

# The acknowledgement a new request from a known client gets (operant.mail.warmup preloads it).
ACK_TEMPLATE = "desk/email/acknowledgement.txt"

# Apps above the desk add to what an acknowledgement says (the allowance app: the minutes an
# adjustment request has left this month). A provider gets the tickets being acknowledged and
# the time, and returns extra template context by ticket key; one call per batch, so a batch of
# acknowledgements costs a provider one lookup, not one per ticket.
AckContextProvider = Callable[[list[Ticket], datetime], dict[int, dict[str, Any]]]
_ack_context_providers: list[AckContextProvider] = []


def register_acknowledgement_context(provider: AckContextProvider) -> None:
    """Called from a higher app's ``AppConfig.ready``; registering twice is harmless."""
    if provider not in _ack_context_providers:
        _ack_context_providers.append(provider)


def acknowledgement_extras(tickets: list[Ticket], now: datetime) -> dict[int, dict[str, Any]]:
    """Every registered provider's extra context, merged per ticket key."""
    extras: dict[int, dict[str, Any]] = {}
    for provider in _ack_context_providers:
        for pk, context in provider(tickets, now).items():
            extras.setdefault(pk, {}).update(context)
    return extras


def reply_subject(ticket: Ticket) -> str:
    subject = ticket.subject
    if not subject.lower().startswith("re:"):
        subject = f"Re: {subject}"
    return f"{subject} [{ticket.ref}]"


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


def acknowledgement_content(
    ticket: Ticket,
    policy: Policy,
    request_message_id: str | None,
    *,
    extra: dict[str, Any] | None = None,
) -> tuple[str, str, dict[str, str]]:
    """Subject, body and threading headers of a ticket's acknowledgement (the ticket has a
    client). ``extra``: what the registered providers add (``acknowledgement_extras``)."""
    assert ticket.client is not None
    context = {
        "ticket": ticket,
        "policy": policy,
        "class_label": RequestClass(ticket.request_class).label,
        "target_local": human_datetime(ticket.target_at, ticket.client.zone)
        if ticket.target_at
        else None,
        "support_email": policy.contact.support_email,
        **(extra or {}),
    }
    return (
        reply_subject(ticket),
        render_to_string(ACK_TEMPLATE, context),
        threading_headers(ticket, known_ids=[request_message_id] if request_message_id else None),
    )
