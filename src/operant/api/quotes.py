"""Quote routes for Operant staff. Every change goes through ``operant.quotes.services``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from operant.accounts.models import Client
from operant.api.auth import AgentTokenAuth, token_of
from operant.api.schemas import (
    ERRORS,
    NOT_BLANK,
    SLUG_MAX,
    SLUG_PATTERN,
    ErrorOut,
    PageParams,
    UtcDatetime,
)
from operant.desk.models import Ticket
from operant.desk.serialize import TicketNotFound, ticket_by_ref
from operant.quotes.errors import QuoteNotFound
from operant.quotes.models import DecidedVia, LineKind, Quote, QuoteState
from operant.quotes.serialize import quote_json
from operant.quotes.services import (
    MAX_AMOUNT,
    MAX_HOURS,
    MAX_RATE,
    MAX_VALIDITY_DAYS,
    quote_by_ref,
    quote_create,
    quote_send,
)

# A service's QuoteError is a UserError: main.py answers it 400 with {"detail": ...}.
router = Router(tags=["quotes"], auth=AgentTokenAuth(), by_alias=True)

Money = str
# The line description's column (quotes.models.QuoteLine.description).
DESCRIPTION_MAX = 500


class QuoteLineIn(Schema):
    kind: LineKind
    description: str = Field(max_length=DESCRIPTION_MAX, pattern=NOT_BLANK)
    # Numbers or strings ("1.5"), within the columns' limits.
    hours: Decimal | None = Field(None, description="hours lines: more than 0", gt=0, le=MAX_HOURS)
    rate: Decimal | None = Field(
        None, description="hours lines: defaults to the policy's rate", ge=0, le=MAX_RATE
    )
    amount: Decimal | None = Field(
        None, description="fixed lines: the price, 0 or more", ge=0, le=MAX_AMOUNT
    )


class QuoteCreateIn(Schema):
    ticket: str | None = Field(None, description="the request it quotes for, like OPR-12")
    client: str | None = Field(
        None,
        description="a client's slug; defaults to the ticket's",
        pattern=SLUG_PATTERN,
        max_length=SLUG_MAX,
    )
    title: str | None = Field(
        None, description="defaults to the ticket's subject, cut to 200 characters"
    )
    scope_category: str | None = Field(
        None,
        description="a policy out-of-scope key, or allowance_overdraft; defaults to the ticket's",
        max_length=64,
    )
    currency: str | None = Field(
        None, description="defaults to the policy's [quotes] currency", pattern=r"^[A-Z]{3}$"
    )
    validity_days: int | None = Field(
        None, description="defaults to the policy's", ge=1, le=MAX_VALIDITY_DAYS
    )
    lines: list[QuoteLineIn] = Field(default_factory=list, max_length=100)


class QuoteLineOut(Schema):
    id: int
    kind: LineKind
    description: str
    hours: Money | None
    rate: Money | None
    amount: Money = Field(examples=["250.00"])


class QuoteOut(Schema):
    ref: str = Field(examples=["Q-12"])
    client: str
    ticket: str | None
    title: str
    scope_category: str
    clause: str
    currency: str
    state: QuoteState
    total: Money = Field(examples=["250.00"], description="exact, as a decimal string")
    validity_days: int
    revision: int = Field(description="how many times it was sent")
    sent_at: UtcDatetime | None
    sent_to: str | None
    valid_until: UtcDatetime | None
    decided_at: UtcDatetime | None
    decided_via: DecidedVia | None
    reply_acceptance_at: UtcDatetime | None = Field(
        description="a reply saying yes, waiting for an agent to confirm"
    )
    policy_version: str | None
    created_at: UtcDatetime
    lines: list[QuoteLineOut]


class QuoteFilters(Schema):
    state: QuoteState | None = None
    client: str | None = Field(
        None, description="a client's slug", pattern=SLUG_PATTERN, max_length=SLUG_MAX
    )
    ticket: str | None = Field(None, description="a ticket reference, like OPR-12")
    awaiting: bool | None = Field(None, description="true: replies saying yes to confirm")


class QuotePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[QuoteOut]


def _quote(ref: str) -> Quote:
    try:
        return quote_by_ref(ref)
    except QuoteNotFound as exc:
        raise HttpError(404, str(exc)) from None


def _ticket(ref: str) -> Ticket:
    try:
        return ticket_by_ref(ref)
    except TicketNotFound as exc:
        raise HttpError(400, str(exc)) from None


@router.post("/quotes", response={201: QuoteOut, 400: ErrorOut, **ERRORS})
def quotes_create(request: HttpRequest, body: QuoteCreateIn) -> Status[dict[str, Any]]:
    """A draft quote with its lines, made at once: a refused line leaves no quote behind."""
    ticket = _ticket(body.ticket) if body.ticket else None
    client = None
    if body.client:
        client = Client.objects.filter(slug=body.client).first()
        if client is None:
            raise HttpError(400, f"no client {body.client!r}")
    # What is left out defaults from the ticket, as the console's new-quote page does.
    quote = quote_create(
        client=client,
        ticket=ticket,
        title=body.title,
        scope_category=body.scope_category or None,
        created_by=token_of(request).user,
        now=timezone.now(),
        currency=body.currency,
        validity_days=body.validity_days,
        lines=[line.model_dump() for line in body.lines],
    )
    return Status(201, quote_json(_quote(quote.ref)))


@router.post("/quotes/{ref}/send", response={200: QuoteOut, 400: ErrorOut, 404: ErrorOut, **ERRORS})
def quotes_send(request: HttpRequest, ref: str) -> dict[str, Any]:
    """Email the draft to the client with its PDF and signed accept/decline links."""
    quote = quote_send(quote=_quote(ref), actor=token_of(request).user, now=timezone.now())
    return quote_json(_quote(quote.ref))


@router.get("/quotes", response={200: QuotePage, 400: ErrorOut, **ERRORS})
def quotes_list(
    request: HttpRequest, filters: Query[QuoteFilters], page: Query[PageParams]
) -> dict[str, Any]:
    """Quotes, newest first; every filter given must match."""
    quotes = Quote.objects.search(
        state=filters.state or "", client=filters.client or "", awaiting=bool(filters.awaiting)
    )
    if filters.ticket:
        quotes = quotes.filter(ticket=_ticket(filters.ticket))
    window = quotes.select_related("client", "ticket", "policy_version").prefetch_related("lines")
    return {
        "count": quotes.count(),
        "limit": page.limit,
        "offset": page.offset,
        "items": [quote_json(q) for q in window[page.offset : page.offset + page.limit]],
    }
