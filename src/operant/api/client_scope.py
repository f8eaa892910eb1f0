"""Read-only routes for a client user's own token, mounted at ``/api/me/``.

The client is always the token user's contact's client, never a URL or query parameter, so a
client token cannot even name another client's data. Operant staff tokens are refused (403):
staff use the agent routes, which take the client as a parameter.

Time entry notes are left out. Agents type them on the ticket page next to internal notes and
the portal never shows them, so they may hold remarks not meant for the client; what a client
sees of an entry is what their monthly statement prints (date, minutes, kind, ticket).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import AuthorizationError

from operant.accounts.models import Client, Contact
from operant.allowance.models import EntryKind, TimeEntry
from operant.allowance.services import allowance_balance, allowance_history
from operant.api.auth import TokenAuth, token_of
from operant.api.models import ApiToken
from operant.api.schemas import ERRORS, ErrorOut, UtcDatetime
from operant.api.time_entries import BalanceOut, HistoryParams, MonthParams, month_param
from operant.desk.models import ticket_ref
from operant.quotes.models import CENT, LineKind, Quote, QuoteState
from operant.quotes.queries import client_quotes
from operant.quotes.serialize import line_json

Money = str


class ClientTokenAuth(TokenAuth):
    """A client contact's token; staff tokens and users without a contact are refused."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        api_token = super().authenticate(request, token)
        user = api_token.user
        if not user.is_client_user:
            raise AuthorizationError(
                message="/api/me/ is for client contacts' tokens; staff use the agent routes"
            )
        # Resolved once here so every route reads the same client, and a portal user whose
        # contact was unlinked is refused before any lookup.
        contact = Contact.objects.select_related("client").filter(user=user).first()
        if contact is None:
            raise AuthorizationError(message="this token's user is not linked to a client")
        request.client = contact.client  # type: ignore[attr-defined]
        return api_token


router = Router(tags=["me"], auth=ClientTokenAuth(), by_alias=True)


def _client(request: HttpRequest) -> Client:
    token_of(request)  # fails loudly if a route were ever mounted without the token auth
    return request.client  # type: ignore[attr-defined,no-any-return]


class MyTimeEntryOut(Schema):
    date: dt.date
    minutes: int
    kind: EntryKind
    ticket: str = Field(examples=["OPR-1234"])


class MyTimeEntriesOut(Schema):
    client: str
    month: str = Field(examples=["2026-12"])
    totals: dict[str, int] = Field(description="minutes by kind; only adjustment counts")
    entries: list[MyTimeEntryOut]


class MyQuoteLineOut(Schema):
    kind: LineKind
    description: str
    hours: Money | None
    rate: Money | None
    amount: Money = Field(examples=["250.00"])


class MyQuoteOut(Schema):
    ref: str = Field(examples=["Q-12"])
    ticket: str | None
    title: str
    currency: str
    state: QuoteState
    total: Money = Field(examples=["250.00"], description="exact, as a decimal string")
    sent_at: UtcDatetime | None
    valid_until: UtcDatetime | None
    decided_at: UtcDatetime | None
    lines: list[MyQuoteLineOut]


@router.get("/allowance", response={200: BalanceOut, 400: ErrorOut, **ERRORS})
def my_allowance(request: HttpRequest, params: Query[MonthParams]) -> dict[str, Any]:
    """Your allowance for a month (your calendar): allowance, used, remaining."""
    client = _client(request)
    month = month_param(client, params.month)
    return {"client": client.slug, **allowance_balance(client=client, month=month).as_dict()}


@router.get("/allowance/history", response={200: list[BalanceOut], **ERRORS})
def my_allowance_history(
    request: HttpRequest, params: Query[HistoryParams]
) -> list[dict[str, Any]]:
    """Your last months, newest first."""
    client = _client(request)
    history = allowance_history(client=client, months=params.months, now=timezone.now())
    return [{"client": client.slug, **balance.as_dict()} for balance in history]


@router.get("/time-entries", response={200: MyTimeEntriesOut, 400: ErrorOut, **ERRORS})
def my_time_entries(request: HttpRequest, params: Query[MonthParams]) -> dict[str, Any]:
    """The month's time entries (removed ones left out), oldest first; no agent notes."""
    client = _client(request)
    month = month_param(client, params.month)
    rows = (
        TimeEntry.objects.filter(client=client, month=month, deleted_at__isnull=True)
        .order_by("work_date", "pk")
        # The ref is computed from the id: no join to the ticket, and no note ever loaded.
        .values_list("work_date", "minutes", "kind", "ticket_id")
    )
    totals = dict.fromkeys(EntryKind.values, 0)
    entries = []
    for work_date, minutes, kind, ticket_id in rows:
        totals[kind] += minutes
        entries.append(
            {"date": work_date, "minutes": minutes, "kind": kind, "ticket": ticket_ref(ticket_id)}
        )
    return {"client": client.slug, "month": f"{month:%Y-%m}", "totals": totals, "entries": entries}


def _quotes(client: Client) -> QuerySet[Quote]:
    # The quotes app's rule of what a client sees (drafts hidden), as the portal's.
    return (
        client_quotes(client)
        .select_related("ticket")
        .prefetch_related("lines")
        .order_by("-created_at", "-pk")
    )


def _quote(quote: Quote) -> dict[str, Any]:
    lines = list(quote.lines.all())
    # Summed from the prefetched lines as Quote.total() would, without a query per quote.
    total = sum((line.amount for line in lines), Decimal(0)).quantize(CENT)
    return {
        "ref": quote.ref,
        "ticket": quote.ticket.ref if quote.ticket_id else None,
        "title": quote.title,
        "currency": quote.currency,
        "state": quote.state,
        "total": f"{total:.2f}",
        "sent_at": quote.sent_at,
        "valid_until": quote.valid_until,
        "decided_at": quote.decided_at,
        "lines": [line_json(line) for line in lines],
    }


@router.get("/quotes", response={200: list[MyQuoteOut], **ERRORS})
def my_quotes(request: HttpRequest) -> list[dict[str, Any]]:
    """Your quotes, newest first, with their lines and totals; drafts are not shown."""
    return [_quote(quote) for quote in _quotes(_client(request))]
