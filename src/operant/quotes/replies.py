"""A client's email reply that accepts a quote ("yes, go ahead").

Reading intent from free text is a guess, so a yes is never applied: it is recorded on the
quote for an agent to confirm (``quote_accept(via="reply")``) or dismiss. The guess leans to
"no": any negation or refusal anywhere, or a yes asked as a question, and nothing is recorded;
the agent can still accept by hand.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction

from operant.core.bulk import chunks
from operant.quotes.decisions import quote_reply_acceptance_record
from operant.quotes.models import REF_PREFIX, Quote, QuoteState

if TYPE_CHECKING:
    from operant.desk.models import Ticket

log = logging.getLogger(__name__)

# Only the start of a reply is read: a yes is said up front, and quoted history is already cut.
READ_CHARS = 2000
_YES = re.compile(
    r"\b(yes|yep|yeah|accept|accepted|accepting|go ahead|approve|approved|agreed|confirmed)\b"
)
_NO = re.compile(
    r"\b(no|not|nope|never|cannot|decline\w*|reject\w*|cancel\w*|hold off)\b"
    "|n['\u2019]t\\b"
)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
_QUOTE_REF = re.compile(rf"\b{REF_PREFIX}-(\d+)\b", re.IGNORECASE)


def says_yes(text: str) -> bool:
    """True when ``text`` accepts plainly: a sentence says yes (not as a question) and no
    sentence negates or refuses anything."""
    head = text[:READ_CHARS].lower()
    if _NO.search(head):
        return False
    return any(
        _YES.search(sentence) and not sentence.rstrip().endswith("?")
        for sentence in _SENTENCE.findall(head)
    )


def _open_quotes(ticket: Ticket, text: str) -> list[Quote]:
    """The sent quotes of the ticket the reply may mean: those it names (Q-12), else the one
    sent last (a bare yes answers the latest offer)."""
    open_quotes = Quote.objects.filter(
        ticket=ticket, state=QuoteState.SENT, reply_acceptance_at__isnull=True
    ).order_by("-sent_at", "-pk")
    named = {int(number) for number in _QUOTE_REF.findall(text[:READ_CHARS])}
    if named:
        return [quote for quote in open_quotes if quote.pk in named]
    latest = open_quotes.first()
    return [latest] if latest else []


def tickets_awaiting_quote_reply(ticket_ids: list[int]) -> set[int]:
    """Which of these tickets have a sent quote a reply may accept (``quote_reply_hook`` does
    nothing on the others)."""
    awaiting: set[int] = set()
    for chunk in chunks(sorted(ticket_ids)):
        awaiting.update(
            Quote.objects.filter(ticket_id__in=chunk, state=QuoteState.SENT).values_list(
                "ticket_id", flat=True
            )
        )
    return awaiting


def quote_reply_hook(*, ticket: Ticket, text: str, now: datetime, message: Any = None) -> int:
    """Called by mail routing after a client's reply is threaded to ``ticket``. Records a
    reply acceptance on the quote(s) it accepts; returns how many.

    Guarded: mail routing must never fail because of quotes, so any error is logged and the
    savepoint rolled back, leaving the routed reply intact.
    """
    try:
        if not says_yes(text):
            return 0

        with transaction.atomic():
            return sum(
                quote_reply_acceptance_record(
                    quote=quote, now=now, message=message, excerpt=text.strip()
                )
                for quote in _open_quotes(ticket, text)
            )
    except Exception:
        log.exception("quote reply check failed on ticket %s", ticket.pk)
        return 0
