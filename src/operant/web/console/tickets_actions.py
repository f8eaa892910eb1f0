"""What an agent does on a ticket page: reply, note, reclassify, assign, solve, pause.

Each action calls one desk service and nothing else decides anything here. With HTMX the
answer is the panels the action may have changed, swapped in out of band (the form itself asks
for no swap), so nothing else on the page is lost: a half-written reply survives a reclassify.
Without JavaScript the forms post normally and the answer is a redirect back to the page.

A service's ``UserError`` (a ``TicketError``: "the clock is not running") and an invalid form
are both shown in the panel of the form that was used, never as an error page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from operant.accounts.models import User
from operant.core.errors import UserError
from operant.desk.models import Ticket
from operant.desk.services import (
    ticket_assign,
    ticket_clock_pause,
    ticket_clock_resume,
    ticket_note,
    ticket_reclassify,
    ticket_reply,
    ticket_set_state,
)
from operant.desk.services_assign import ticket_assign_client
from operant.web.console.tickets_detail import ticket_context, ticket_or_404
from operant.web.console.tickets_forms import (
    AssignClientForm,
    AssignForm,
    ClockForm,
    ComposeForm,
    ReclassifyForm,
    StateForm,
    first_error,
)
from operant.web.permissions import agent_required

# action(ticket, cleaned_data, agent, now) calls the service; its return value is not used.
Action = Callable[[Ticket, dict[str, Any], User, datetime], object]


def _perform(
    request: HttpRequest,
    pk: int,
    *,
    form: Form,
    action: Action,
    panel: str,
    panels: tuple[str, ...],
) -> HttpResponse:
    """1. Validate the form. 2. Call the service. 3. Answer with the changed panels, the error
    (if any) shown in ``panel``; the composer keeps its text when sending it failed."""
    now = timezone.now()
    ticket = ticket_or_404(pk)
    error = None
    if form.is_valid():
        try:
            action(ticket, form.cleaned_data, request.user, now)
        except UserError as exc:
            error = str(exc)
    else:
        error = first_error(form)
    composer = form if error and panel == "composer" else None
    errors = {panel: error} if error else {}
    if getattr(request, "htmx", None):
        ticket = ticket_or_404(pk)  # read again: the service saved its own copy
        context = ticket_context(
            request, ticket, now=now, panels=panels, errors=errors, composer=composer
        )
        context["oob"] = True
        return render(request, "web/console/tickets/_update.html", context)
    if error:
        # The whole page again, with the error where the agent was looking.
        context = ticket_context(request, ticket, now=now, errors=errors, composer=composer)
        return render(request, "web/console/tickets/detail.html", context, status=400)
    return redirect(reverse("console:ticket", args=[pk]) + f"#{panel}")


@agent_required
@require_POST
def ticket_reply_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _perform(
        request,
        pk,
        form=ComposeForm(request.POST),
        action=lambda ticket, data, agent, now: ticket_reply(
            ticket=ticket, author=agent, text=data["text"], now=now
        ),
        panel="composer",
        # A first reply stops the clock and the ticket waits on the client.
        panels=("head", "conversation", "composer", "status", "clock", "history"),
    )


@agent_required
@require_POST
def ticket_note_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _perform(
        request,
        pk,
        form=ComposeForm(request.POST),
        action=lambda ticket, data, agent, now: ticket_note(
            ticket=ticket, author=agent, text=data["text"], now=now
        ),
        panel="composer",
        panels=("conversation", "composer", "history"),
    )


@agent_required
@require_POST
def ticket_reclassify_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _perform(
        request,
        pk,
        form=ReclassifyForm(request.POST),
        action=lambda ticket, data, agent, now: ticket_reclassify(
            ticket=ticket,
            request_class=data["request_class"],
            scope_category=data["scope_category"],
            actor=agent,
            now=now,
        ),
        panel="classification",
        panels=("head", "classification", "clock", "history"),
    )


@agent_required
@require_POST
def ticket_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _perform(
        request,
        pk,
        form=AssignForm(request.POST),
        action=lambda ticket, data, agent, now: ticket_assign(
            ticket=ticket, assignee=data["assignee"], actor=agent, now=now
        ),
        panel="status",
        panels=("head", "status", "history"),
    )


@agent_required
@require_POST
def ticket_state_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _perform(
        request,
        pk,
        form=StateForm(request.POST),
        action=lambda ticket, data, agent, now: ticket_set_state(
            ticket=ticket, state=data["state"], actor=agent, now=now
        ),
        panel="status",
        panels=("head", "status", "history"),
    )


def _clock(ticket: Ticket, data: dict[str, Any], agent: User, now: datetime) -> Ticket:
    if data["action"] == "pause":
        return ticket_clock_pause(ticket=ticket, reason=data["reason"], actor=agent, now=now)
    return ticket_clock_resume(ticket=ticket, actor=agent, now=now)


@agent_required
@require_POST
def ticket_clock_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _perform(
        request,
        pk,
        form=ClockForm(request.POST),
        action=_clock,
        panel="clock",
        panels=("head", "clock", "history"),
    )


@agent_required
@require_POST
def ticket_client_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _perform(
        request,
        pk,
        form=AssignClientForm(request.POST),
        action=lambda ticket, data, agent, now: ticket_assign_client(
            ticket=ticket, client=data["client"], actor=agent, now=now
        ),
        panel="status",
        # The clock panel shows times in the client's zone, which the ticket now has.
        panels=("head", "status", "clock", "history"),
    )
