"""Time entry and allowance routes for Operant staff, through ``operant.allowance.services``.

An adjustment past the month's allowance is a 409 that says how many minutes remain and how
many would overflow, so a client program can offer the split (``/time/split``) or a quote.
Other refusals are 400 (``UserError``), unknown tickets, entries and clients 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from operant.accounts.models import Client
from operant.allowance.errors import Overdraft
from operant.allowance.models import EntryKind, TimeEntry, TimeEntryRevision
from operant.allowance.months import parse_month
from operant.allowance.serialize import entry_json, totals_json
from operant.allowance.services import (
    MAX_ENTRY_MINUTES,
    allowance_balance,
    allowance_history,
    month_of,
    quote_for_time,
    time_entry_delete,
    time_entry_edit,
    time_log,
    time_log_split,
)
from operant.api.auth import AgentTokenAuth, token_of
from operant.api.schemas import ERRORS as AUTH_ERRORS
from operant.api.schemas import ErrorOut, RowId
from operant.core.errors import UserError
from operant.core.limits import FIRST_YEAR, LAST_YEAR
from operant.desk.serialize import ticket_by_ref

router = Router(tags=["time"], auth=AgentTokenAuth(), by_alias=True)
ERRORS: dict[int, Any] = {**AUTH_ERRORS, 404: ErrorOut}
# Whole minutes of one entry, as the allowance service checks them.
Minutes = Annotated[int, Field(ge=1, le=MAX_ENTRY_MINUTES)]
WorkDate = Annotated[dt.date, Field(ge=dt.date(FIRST_YEAR, 1, 1), le=dt.date(LAST_YEAR, 12, 31))]
# As the console's time entry forms allow.
NOTE_MAX = 2000


class RevisionOut(Schema):
    at: dt.datetime
    action: str
    actor: str | None
    before: dict[str, Any]
    after: dict[str, Any]


class TimeEntryOut(Schema):
    id: int
    ticket: str = Field(examples=["OPR-1234"])
    client: str
    kind: EntryKind
    minutes: int
    work_date: dt.date
    month: str = Field(examples=["2026-12"])
    note: str
    quote: str | None = Field(examples=["Q-12"])
    agent: str
    created_at: dt.datetime
    updated_at: dt.datetime
    deleted_at: dt.datetime | None
    revisions: list[RevisionOut]


class TicketTimeOut(Schema):
    ticket: str
    totals: dict[str, int] = Field(description="live minutes by kind")
    entries: list[TimeEntryOut]


class TimeEntryIn(Schema):
    minutes: Minutes = Field(description="whole minutes, 1 to 600")
    kind: EntryKind
    work_date: WorkDate | None = Field(None, description="default: today on the client's calendar")
    note: str = Field("", max_length=NOTE_MAX)
    quote: str | None = Field(None, description="quoted time: the accepted quote, e.g. Q-12")


class TimeEntryPatch(Schema):
    minutes: Minutes | None = None
    kind: EntryKind | None = None
    work_date: WorkDate | None = None
    note: str | None = Field(None, max_length=NOTE_MAX)
    quote: str | None = None


class SplitIn(Schema):
    minutes: Minutes
    work_date: WorkDate | None = None
    note: str = Field("", max_length=NOTE_MAX)


class SplitOut(Schema):
    entry: TimeEntryOut | None = Field(description="the part logged; null when nothing fit")
    overflow_minutes: int = Field(description="minutes beyond the allowance, to quote")


class OverdraftOut(Schema):
    detail: str
    remaining_minutes: int
    overflow_minutes: int


class BalanceOut(Schema):
    client: str
    month: str = Field(examples=["2026-12"])
    allowance_minutes: int
    used_minutes: int
    remaining_minutes: int
    carried_minutes: int
    closed: bool


class HistoryParams(Schema):
    months: int = Field(6, ge=1, le=36)


class MonthParams(Schema):
    month: str | None = Field(
        None,
        description="YYYY-MM; default: the client's current month",
        pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
    )


def _entries() -> QuerySet[TimeEntry]:
    revisions = TimeEntryRevision.objects.select_related("actor").order_by("at", "pk")
    return TimeEntry.objects.select_related("ticket", "client", "agent", "quote").prefetch_related(
        Prefetch("revisions", queryset=revisions)
    )


def _entry(entry_id: int) -> TimeEntry:
    entry = _entries().filter(pk=entry_id).first()
    if entry is None:
        raise HttpError(404, f"no time entry {entry_id}")
    return entry


def _fresh(entry: TimeEntry) -> dict[str, Any]:
    return entry_json(_entry(entry.pk))


def _quote(ref: str | None) -> Any:
    return quote_for_time(ref) if ref else None


def _overdraft(exc: Overdraft) -> Status[dict[str, Any]]:
    return Status(
        409,
        {"detail": str(exc), "remaining_minutes": exc.remaining, "overflow_minutes": exc.overflow},
    )


@router.get("/tickets/{ref}/time", response={200: TicketTimeOut, **ERRORS})
def ticket_time(request: HttpRequest, ref: str) -> dict[str, Any]:
    """The ticket's time entries (removed ones too, marked) and the live minutes by kind."""
    ticket = ticket_by_ref(ref)
    entries = list(_entries().filter(ticket=ticket).order_by("-work_date", "-pk"))
    return {
        "ticket": ticket.ref,
        "totals": totals_json(entries),
        "entries": [entry_json(entry) for entry in entries],
    }


@router.post(
    "/tickets/{ref}/time",
    response={201: TimeEntryOut, 400: ErrorOut, 409: OverdraftOut, **ERRORS},
)
def ticket_time_log(request: HttpRequest, ref: str, body: TimeEntryIn) -> Status[dict[str, Any]]:
    """Log time. An adjustment past the month's allowance is refused with 409."""
    try:
        entry = time_log(
            ticket=ticket_by_ref(ref),
            agent=token_of(request).user,
            minutes=body.minutes,
            kind=body.kind,
            work_date=body.work_date,
            note=body.note,
            quote=_quote(body.quote),
            now=timezone.now(),
        )
    except Overdraft as exc:
        return _overdraft(exc)
    return Status(201, _fresh(entry))


@router.post("/tickets/{ref}/time/split", response={200: SplitOut, 400: ErrorOut, **ERRORS})
def ticket_time_split(request: HttpRequest, ref: str, body: SplitIn) -> dict[str, Any]:
    """Log the part of an adjustment that fits the allowance; the rest is to be quoted."""
    entry, overflow = time_log_split(
        ticket=ticket_by_ref(ref),
        agent=token_of(request).user,
        minutes=body.minutes,
        work_date=body.work_date,
        note=body.note,
        now=timezone.now(),
    )
    return {"entry": _fresh(entry) if entry else None, "overflow_minutes": overflow}


@router.patch(
    "/time-entries/{entry_id}",
    response={200: TimeEntryOut, 400: ErrorOut, 409: OverdraftOut, **ERRORS},
)
def time_entry_patch(
    request: HttpRequest, entry_id: RowId, body: TimeEntryPatch
) -> Status[dict[str, Any]]:
    """Change an entry's minutes, kind, date, note or quote; the change is kept in its history."""
    try:
        entry = time_entry_edit(
            entry=_entry(entry_id),
            actor=token_of(request).user,
            minutes=body.minutes,
            kind=body.kind,
            work_date=body.work_date,
            note=body.note,
            quote=_quote(body.quote),
            now=timezone.now(),
        )
    except Overdraft as exc:
        return _overdraft(exc)
    return Status(200, _fresh(entry))


@router.delete("/time-entries/{entry_id}", response={200: TimeEntryOut, 400: ErrorOut, **ERRORS})
def time_entry_remove(request: HttpRequest, entry_id: RowId) -> dict[str, Any]:
    """Remove an entry: it stops counting and keeps its history."""
    entry = time_entry_delete(
        entry=_entry(entry_id), actor=token_of(request).user, now=timezone.now()
    )
    return _fresh(entry)


def month_param(client: Client, text: str | None) -> dt.date:
    """A ``month`` query parameter (``YYYY-MM``), or the client's current month when absent."""
    if not text:
        return month_of(client=client, when=timezone.now())
    try:
        return parse_month(text)
    except ValueError as exc:
        # main.py answers a UserError 400 {"detail": ...}.
        raise UserError(f"month: {exc}") from None


def _client(slug: str) -> Client:
    client = Client.objects.filter(slug=slug).first()
    if client is None:
        raise HttpError(404, f"no client {slug!r}")
    return client


@router.get("/clients/{slug}/allowance", response={200: BalanceOut, 400: ErrorOut, **ERRORS})
def client_allowance(request: HttpRequest, slug: str, params: Query[MonthParams]) -> dict[str, Any]:
    """The client's allowance for a month (their calendar): allowance, used, remaining."""
    client = _client(slug)
    month = month_param(client, params.month)
    return {"client": client.slug, **allowance_balance(client=client, month=month).as_dict()}


@router.get("/clients/{slug}/allowance/history", response={200: list[BalanceOut], **ERRORS})
def client_allowance_history(
    request: HttpRequest, slug: str, params: Query[HistoryParams]
) -> list[dict[str, Any]]:
    """The client's last months, newest first."""
    client = _client(slug)
    history = allowance_history(client=client, months=params.months, now=timezone.now())
    return [{"client": client.slug, **balance.as_dict()} for balance in history]
