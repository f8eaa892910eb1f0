"""One JSON shape for a ticket, shared by the CLI and the API."""

from __future__ import annotations

from typing import Any

from operant.core.timefmt import iso_or_none
from operant.desk.models import REF_PREFIX, Ticket


class TicketNotFound(LookupError):
    pass


def ticket_by_ref(ref: str) -> Ticket:
    """``OPR-12`` (any case) or a bare ``12``."""
    text = ref.strip().upper()
    if text.startswith(f"{REF_PREFIX}-"):
        text = text[len(REF_PREFIX) + 1 :]
    if not text.isdigit():
        raise TicketNotFound(f"{ref!r} is not a ticket reference like {REF_PREFIX}-1234")
    ticket = Ticket.objects.select_related("client").filter(pk=int(text)).first()
    if ticket is None:
        raise TicketNotFound(f"no ticket {REF_PREFIX}-{text}")
    return ticket


def ticket_json(ticket: Ticket, *, message_count: int | None = None) -> dict[str, Any]:
    return {
        "ref": ticket.ref,
        "client": ticket.client.slug if ticket.client else None,
        "requester": ticket.requester_email,
        "subject": ticket.subject,
        "class": ticket.request_class,
        "scope_category": ticket.scope_category or None,
        "state": ticket.state,
        "clock": {
            "state": ticket.clock_state,
            "target_at": iso_or_none(ticket.target_at),
            "limit_at": iso_or_none(ticket.limit_at),
            "first_response_at": iso_or_none(ticket.first_response_at),
        },
        "reasons": list(ticket.classification_reasons),
        "clause": ticket.classification_clause,
        "policy_version": ticket.policy_version.version if ticket.policy_version_id else None,
        "flagged": ticket.flagged,
        "created_at": iso_or_none(ticket.created_at),
        "messages": message_count if message_count is not None else ticket.messages.count(),
    }
