"""Ticket routes for Operant staff. Every change goes through ``operant.desk.services``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from operant.api.auth import AgentTokenAuth, token_of
from operant.api.queries import tickets_condition, tickets_count, tickets_queue
from operant.api.schemas import (
    ERRORS,
    ErrorOut,
    MessageOut,
    PageParams,
    ReclassifyIn,
    ReplyIn,
    TicketDetailOut,
    TicketFilters,
    TicketOut,
    TicketPage,
)
from operant.api.serialize import message_json
from operant.desk.models import Message
from operant.desk.serialize import ticket_by_ref, ticket_json
from operant.desk.services import ticket_reclassify, ticket_reply

router = Router(tags=["tickets"], auth=AgentTokenAuth(), by_alias=True)

WITH_TICKET_ERRORS: dict[int, Any] = {**ERRORS, 400: ErrorOut, 404: ErrorOut}


@router.get("/tickets", response={200: TicketPage, 400: ErrorOut, **ERRORS})
def tickets_list(
    request: HttpRequest, filters: Query[TicketFilters], page: Query[PageParams]
) -> dict[str, Any]:
    """Tickets in queue order: open tickets whose first-response clock is counting down come
    first, the soonest (or most overdue) target first; then the rest, latest activity first."""
    condition = tickets_condition(filters)
    window = tickets_queue(condition)[page.offset : page.offset + page.limit]
    return {
        "count": tickets_count(condition),
        "limit": page.limit,
        "offset": page.offset,
        "items": [ticket_json(t, message_count=t.message_count) for t in window],
    }


@router.get("/tickets/{ref}", response={200: TicketDetailOut, 404: ErrorOut, **ERRORS})
def tickets_detail(request: HttpRequest, ref: str) -> dict[str, Any]:
    """One ticket with its messages."""
    ticket = ticket_by_ref(ref)
    messages = [
        message_json(message)
        for message in Message.objects.filter(ticket=ticket).order_by("created_at", "pk")
    ]
    return {**ticket_json(ticket, message_count=len(messages)), "messages": messages}


@router.post("/tickets/{ref}/reply", response={201: MessageOut, **WITH_TICKET_ERRORS})
def tickets_reply(request: HttpRequest, ref: str, body: ReplyIn) -> Status[dict[str, Any]]:
    """Answer the requester by email. The first reply stops the first-response clock."""
    message = ticket_reply(
        ticket=ticket_by_ref(ref), author=token_of(request).user, text=body.text, now=timezone.now()
    )
    return Status(201, message_json(message))


@router.post("/tickets/{ref}/reclassify", response={200: TicketOut, **WITH_TICKET_ERRORS})
def tickets_reclassify(request: HttpRequest, ref: str, body: ReclassifyIn) -> dict[str, Any]:
    """Set the ticket's class (and scope category); its clock is recomputed from the policy."""
    ticket = ticket_reclassify(
        ticket=ticket_by_ref(ref),
        request_class=body.class_,
        scope_category=body.scope_category,
        actor=token_of(request).user,
        now=timezone.now(),
    )
    return ticket_json(ticket)
