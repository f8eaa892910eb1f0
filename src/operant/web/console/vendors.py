"""Vendor incidents and feeds for agents (clause 05): the list of incidents, one incident with
its timeline, everyone it affects, where its notices stand and the tickets it holds, and the
feeds with what went wrong at their last poll. Who is affected is vendors.queries' rule; these
views only show it (the forms on these pages post to vendors_actions.py)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from operant.policy.loader import current_policy
from operant.vendors.models import IncidentSource, VendorIncident
from operant.vendors.queries import (
    feed_rows,
    incident_affected_clients,
    incident_affected_workflows,
    incident_notice_state,
    incident_notices_told,
    incident_open_tickets,
    incident_rows,
    incident_ticket_links,
    incident_timeline,
)
from operant.vendors.workarounds import incident_workaround_prefill
from operant.web.console.vendors_forms import PostForm, ReportForm, TicketLinkForm, WorkaroundForm
from operant.web.permissions import agent_required

PAGE_SIZE = 50


def incident_or_404(pk: int) -> VendorIncident:
    return get_object_or_404(incident_rows(), pk=pk)


def incidents_context(
    request: HttpRequest, *, form: Form | None = None, error: str = ""
) -> dict[str, Any]:
    open_only = request.GET.get("open") == "1"
    page = Paginator(incident_rows(open_only=open_only), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return {
        "page": page,
        "open_only": open_only,
        "report_form": form or ReportForm(),
        "report_error": error,
    }


@agent_required
@require_GET
def incident_list(request: HttpRequest) -> HttpResponse:
    """Open incidents first; ``?open=1`` shows only those."""
    return render(request, "web/console/vendors/incidents.html", incidents_context(request))


def incident_context(
    request: HttpRequest,
    incident: VendorIncident,
    *,
    forms: dict[str, Form] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The incident page; ``forms`` keeps what was typed into a refused form, ``errors`` the
    refusal, keyed by the panel it belongs to."""
    forms = forms or {}
    told = Paginator(incident_notices_told(incident=incident), PAGE_SIZE).get_page(
        request.GET.get("told")
    )
    return {
        "incident": incident,
        "timeline": incident_timeline(incident=incident),
        "clients": incident_affected_clients(incident=incident),
        "workflows": incident_affected_workflows(incident=incident),
        "tickets": incident_open_tickets(incident=incident),
        "links": incident_ticket_links(incident=incident),
        "notices": incident_notice_state(incident=incident, terms=current_policy().disruptions),
        "told": told,
        "manual": incident.source == IncidentSource.MANUAL,
        "workaround_form": forms.get("workaround")
        or WorkaroundForm(initial={"text": incident_workaround_prefill(incident)}),
        "link_form": forms.get("link") or TicketLinkForm(),
        "post_form": forms.get("post") or PostForm(initial={"status": incident.status}),
        "errors": errors or {},
    }


@agent_required
@require_GET
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = incident_or_404(pk)
    context = incident_context(request, incident)
    return render(request, "web/console/vendors/incident.html", context)


@agent_required
@require_GET
def feed_list(request: HttpRequest) -> HttpResponse:
    context = {"feeds": feed_rows(), "now": timezone.now()}
    return render(request, "web/console/vendors/feeds.html", context)
