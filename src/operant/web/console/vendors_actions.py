"""What an agent does about a vendor incident: report one, post an update (or resolve it),
write the workaround clients are told, approve the notices, link a ticket.

Each action calls one vendors service and decides nothing itself. A refusal (an invalid form
or the service's ``UserError``) shows the page again with the message in the panel of the form
that was used and what was typed kept (400); success redirects back with a message.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from operant.core.errors import UserError
from operant.vendors.incidents import incident_post, incident_report
from operant.vendors.models import VendorIncident
from operant.vendors.notices import incident_approve
from operant.vendors.tickets import incident_ticket_link
from operant.vendors.workarounds import incident_workaround_set
from operant.web.console.tickets_forms import first_error
from operant.web.console.vendors import incident_context, incident_or_404, incidents_context
from operant.web.console.vendors_forms import PostForm, ReportForm, TicketLinkForm, WorkaroundForm
from operant.web.permissions import agent_required

# action(incident, cleaned_data, agent, now) calls one service and says what it did.
Action = Callable[[VendorIncident, dict[str, Any], Any, datetime], str]


def _perform(
    request: HttpRequest, pk: int, *, panel: str, form: Form, action: Action
) -> HttpResponse:
    incident = incident_or_404(pk)
    error = None
    if form.is_valid():
        try:
            done = action(incident, form.cleaned_data, request.user, timezone.now())
        except UserError as exc:
            error = str(exc)
    else:
        error = first_error(form)
    if error is None:
        messages.success(request, done)
        return redirect("console:vendor_incident", pk=pk)
    context = incident_context(
        request, incident_or_404(pk), forms={panel: form}, errors={panel: error}
    )
    return render(request, "web/console/vendors/incident.html", context, status=400)


def _workaround(incident: VendorIncident, data: dict[str, Any], agent: Any, now: datetime) -> str:
    incident_workaround_set(incident=incident, text=data["text"], now=now, author=agent)
    return "Workaround saved: the affected clients are told with the next notice."


def _approve(incident: VendorIncident, data: dict[str, Any], agent: Any, now: datetime) -> str:
    if incident_approve(incident=incident, actor=agent, now=now):
        return "Notices approved: they go out to the affected clients."
    return "The notices were approved already."


def _link(incident: VendorIncident, data: dict[str, Any], agent: Any, now: datetime) -> str:
    link = incident_ticket_link(incident=incident, ticket=data["ticket"], actor=agent, now=now)
    return f"{link.ticket.ref} is linked to this incident."


def _post(incident: VendorIncident, data: dict[str, Any], agent: Any, now: datetime) -> str:
    incident_post(
        incident=incident, body=data["body"], status=data["status"], now=now, author=agent
    )
    return "Incident resolved." if incident.resolved_at else "Update posted."


@agent_required
@require_POST
def incident_workaround_view(request: HttpRequest, pk: int) -> HttpResponse:
    form = WorkaroundForm(request.POST)
    return _perform(request, pk, panel="workaround", form=form, action=_workaround)


@agent_required
@require_POST
def incident_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _perform(request, pk, panel="approve", form=Form(request.POST), action=_approve)


@agent_required
@require_POST
def incident_link_view(request: HttpRequest, pk: int) -> HttpResponse:
    form = TicketLinkForm(request.POST)
    return _perform(request, pk, panel="link", form=form, action=_link)


@agent_required
@require_POST
def incident_post_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _perform(request, pk, panel="post", form=PostForm(request.POST), action=_post)


@agent_required
@require_POST
def incident_report_view(request: HttpRequest) -> HttpResponse:
    """A manual incident; its page opens on success, the list shows the refusal otherwise."""
    form = ReportForm(request.POST)
    error = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            incident = incident_report(
                vendor_key=data["vendor"],
                title=data["title"],
                integration_keys=[i.key for i in data["integrations"]],
                body=data["body"],
                impact=data["impact"],
                now=timezone.now(),
                author=request.user,
            )
        except UserError as exc:
            error = str(exc)
    else:
        error = first_error(form)
    if error is None:
        messages.success(request, "Incident reported.")
        return redirect("console:vendor_incident", pk=incident.pk)
    context = incidents_context(request, form=form, error=error)
    return render(request, "web/console/vendors/incidents.html", context, status=400)
