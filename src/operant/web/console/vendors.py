"""Vendor incidents and feeds for agents (clause 05): the list of incidents, one incident with
its timeline and everyone it affects, and the feeds with what went wrong at their last poll.
Who is affected is vendors.queries' rule; these views only show it."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from operant.vendors.queries import (
    feed_rows,
    incident_affected_clients,
    incident_affected_workflows,
    incident_open_tickets,
    incident_rows,
    incident_timeline,
)
from operant.web.permissions import agent_required

PAGE_SIZE = 50


@agent_required
@require_GET
def incident_list(request: HttpRequest) -> HttpResponse:
    """Open incidents first; ``?open=1`` shows only those."""
    open_only = request.GET.get("open") == "1"
    page = Paginator(incident_rows(open_only=open_only), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "open_only": open_only}
    return render(request, "web/console/vendors/incidents.html", context)


@agent_required
@require_GET
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_object_or_404(incident_rows(), pk=pk)
    context = {
        "incident": incident,
        "timeline": incident_timeline(incident=incident),
        "clients": incident_affected_clients(incident=incident),
        "workflows": incident_affected_workflows(incident=incident),
        "tickets": incident_open_tickets(incident=incident),
    }
    return render(request, "web/console/vendors/incident.html", context)


@agent_required
@require_GET
def feed_list(request: HttpRequest) -> HttpResponse:
    context = {"feeds": feed_rows(), "now": timezone.now()}
    return render(request, "web/console/vendors/feeds.html", context)
