"""The ticket page: conversation, classification, clock, history, and attachment downloads."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from operant.accounts.models import Client
from operant.desk.models import Attachment, RequestClass, Ticket
from operant.desk.queries import (
    staff_users,
    ticket_conversation,
    ticket_history,
    ticket_page,
    ticket_pauses,
)
from operant.web.console.tickets_display import (
    CLASS_BADGES,
    history_line,
    labelled,
    pause_reason,
    scope_categories,
    scope_labels,
    shown,
)
from operant.web.console.tickets_forms import ComposeForm
from operant.web.console.time_panel import TimePanel
from operant.web.permissions import agent_required

# The panels of the page, by the id of their root element. An action re-renders the ones it
# may have changed (see tickets_actions); the page renders them all.
PANELS = ("head", "conversation", "composer", "status", "clock", "classification", "history")

# A declared type we pass on must look like one; anything else is served as opaque bytes.
_MIME = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")


def ticket_or_404(pk: int) -> Ticket:
    ticket = ticket_page(pk)
    if ticket is None:
        raise Http404("No such ticket.")
    return ticket


def ticket_context(
    request: HttpRequest,
    ticket: Ticket,
    *,
    now: datetime,
    panels: tuple[str, ...] = PANELS,
    errors: dict[str, str] | None = None,
    composer: Form | None = None,
) -> dict[str, Any]:
    """What the panels in ``panels`` need; the others' lists are not queried at all."""
    categories = scope_categories()
    labels = scope_labels(categories)
    context: dict[str, Any] = {
        "ticket": ticket,
        "row": labelled(ticket, labels),
        "panels": panels,
        "errors": errors or {},
        "now": now,
        "client_zone": ticket.client.timezone if ticket.client_id else None,
        "time_panel": TimePanel(ticket, now=now),  # lazy: queries only when the panel renders
    }
    if "conversation" in panels:
        context["messages"] = [shown(message) for message in ticket_conversation(ticket)]
    if "composer" in panels:
        context["composer"] = composer or ComposeForm()
    if "status" in panels:
        me = request.user
        others = [user for user in staff_users() if user.pk != me.pk]
        context["assignees"] = [(me, True), *((user, False) for user in others)]
        if ticket.client_id is None:
            context["clients"] = Client.objects.only("slug", "name", "timezone")
    if "clock" in panels:
        context["pauses"] = [(p, pause_reason(p.reason)) for p in ticket_pauses(ticket)]
        context["pause_label"] = pause_reason(ticket.pause_reason)
    if "classification" in panels:
        context["classes"] = [
            (value, CLASS_BADGES.get(value, label), label)
            for value, label in RequestClass.choices
            if value != RequestClass.OUT_OF_SCOPE
        ]
        context["scope_categories"] = categories
    if "history" in panels:
        context["history"] = [history_line(event, labels) for event in ticket_history(ticket)]
    return context


@agent_required
@require_GET
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = ticket_or_404(pk)
    context = ticket_context(request, ticket, now=timezone.now())
    return render(request, "web/console/tickets/detail.html", context)


@agent_required
@require_GET
def ticket_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    """Download one stored attachment of this ticket.

    Always as a download, never shown inline, and sandboxed: the file is whatever a stranger
    mailed us, and opened inline from our origin an HTML file could act as the agent.
    """
    attachment = get_object_or_404(Attachment, pk=attachment_pk, message__ticket_id=pk)
    if attachment.content is None:
        raise Http404("This attachment was over the size limit and was not stored.")
    declared = attachment.content_type.strip().lower()
    response = HttpResponse(
        bytes(attachment.content),
        content_type=declared if _MIME.match(declared) else "application/octet-stream",
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=attachment.filename or "attachment"
    )
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
