"""The quote's own history, mirrored onto its ticket so the ticket page tells the whole story."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from operant.core.timefmt import human_datetime
from operant.desk.services import ticket_history_record
from operant.quotes.models import Quote, QuoteEvent

if TYPE_CHECKING:
    from operant.accounts.models import User


def quote_event(
    quote: Quote,
    kind: str,
    *,
    now: datetime,
    actor: User | None = None,
    data: dict[str, Any] | None = None,
) -> QuoteEvent:
    """Record one change of ``quote``; a state change also lands in its ticket's history."""
    event = QuoteEvent.objects.create(quote=quote, kind=kind, at=now, actor=actor, data=data or {})
    if quote.ticket_id is not None and kind in TICKET_KINDS:
        ticket_history_record(
            ticket_id=quote.ticket_id,
            kind=TICKET_KINDS[kind],
            now=now,
            actor=actor,
            data={"quote": quote.ref, **(data or {})},
            version=quote.policy_version,
        )
    return event


# Quote event kind -> ticket event kind. The ticket page names unknown kinds by their words
# ("quote_sent" reads "Quote sent"), so these need no entry in the desk's display code.
TICKET_KINDS = {
    "created": "quote_drafted",
    "sent": "quote_sent",
    "accepted": "quote_accepted",
    "declined": "quote_declined",
    "expired": "quote_expired",
    "reopened": "quote_reopened",
    "reply_acceptance": "quote_accepted_by_reply",
}


def when(quote: Quote, value: datetime | None) -> str:
    """An instant on the client's wall clock, as the client reads it in emails and pages."""
    if value is None:
        return "never"
    return human_datetime(value, quote.client.zone)
