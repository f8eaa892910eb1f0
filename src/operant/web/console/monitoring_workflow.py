"""One workflow in the console: details, identifiers, the signal log, versions with their diffs,
downtime, its tickets; and pausing, resuming and recording a version.

Each action calls one monitoring service and decides nothing itself. A refusal (a service's
``UserError`` or an invalid form) is shown on the page in the panel of the form that was used,
with what was typed kept; success redirects back to the page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from operant.core.errors import UserError
from operant.monitoring.control import workflow_pause, workflow_resume
from operant.monitoring.drift.queries import workflow_drifts
from operant.monitoring.drift.services import drift_accept_live
from operant.monitoring.models import Workflow
from operant.monitoring.queries import (
    open_outage_ticket,
    workflow_downtimes,
    workflow_tickets,
    workflow_versions,
)
from operant.monitoring.registry import workflow_version_record
from operant.monitoring.serialize import WorkflowNotFound, workflow_by_id
from operant.web.console.monitoring_forms import PauseForm, VersionForm
from operant.web.console.tickets_forms import first_error
from operant.web.permissions import agent_required

SIGNALS_PER_PAGE = 50


def workflow_or_404(pk: int) -> Workflow:
    try:
        return workflow_by_id(pk)
    except WorkflowNotFound:
        raise Http404("No such workflow.") from None


def _context(
    request: HttpRequest,
    workflow: Workflow,
    *,
    now: datetime,
    forms: dict[str, Form] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    versions = list(workflow_versions(workflow))
    current = versions[0] if versions else None
    signals = workflow.signals.order_by("-at", "-pk")
    forms = forms or {}
    return {
        "workflow": workflow,
        "outage_ticket": open_outage_ticket(workflow),
        "identifiers": workflow.identifiers.all(),
        "integrations": workflow.integrations.all(),
        "signals": Paginator(signals, SIGNALS_PER_PAGE).get_page(request.GET.get("signals")),
        "versions": versions,
        "downtimes": workflow_downtimes(workflow),
        "tickets": workflow_tickets(workflow),
        "pause_form": forms.get("pause") or PauseForm(),
        "version_form": forms.get("version")
        or VersionForm(
            workflow=workflow,
            now=now,
            initial={"logic": current.logic, "copy": current.copy} if current else None,
        ),
        "drift": workflow_drifts(workflow),
        "errors": errors or {},
        "now": now,
    }


@agent_required
@require_GET
def workflow_detail(request: HttpRequest, pk: int) -> HttpResponse:
    workflow = workflow_or_404(pk)
    context = _context(request, workflow, now=timezone.now())
    return render(request, "web/console/monitoring/workflow.html", context)


# action(workflow, cleaned_data, agent, now) calls one monitoring service.
Action = Callable[[Workflow, dict[str, Any], Any, datetime], object]


def _perform(
    request: HttpRequest,
    pk: int,
    *,
    panel: str,
    make_form: Callable[[Workflow, datetime], Form],
    action: Action,
) -> HttpResponse:
    """1. Validate the form. 2. Call the service. 3. Redirect back to the page; on a refusal,
    the whole page again with the error in ``panel`` and the form as typed (400)."""
    now = timezone.now()
    workflow = workflow_or_404(pk)
    form = make_form(workflow, now)
    error = None
    if form.is_valid():
        try:
            action(workflow, form.cleaned_data, request.user, now)
        except UserError as exc:
            error = str(exc)
    else:
        error = first_error(form)
    if error is None:
        return redirect("console:workflow", pk=pk)
    context = _context(request, workflow, now=now, forms={panel: form}, errors={panel: error})
    return render(request, "web/console/monitoring/workflow.html", context, status=400)


@agent_required
@require_POST
def workflow_pause_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _perform(
        request,
        pk,
        panel="pause",
        make_form=lambda workflow, now: PauseForm(request.POST),
        action=lambda workflow, data, agent, now: workflow_pause(
            workflow=workflow, reason=data["reason"], actor=agent, now=now
        ),
    )


@agent_required
@require_POST
def workflow_resume_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _perform(
        request,
        pk,
        panel="resume",
        make_form=lambda workflow, now: Form(request.POST),
        action=lambda workflow, data, agent, now: workflow_resume(
            workflow=workflow, actor=agent, now=now
        ),
    )


@agent_required
@require_POST
def workflow_version_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _perform(
        request,
        pk,
        panel="version",
        make_form=lambda workflow, now: VersionForm(request.POST, workflow=workflow, now=now),
        action=lambda workflow, data, agent, now: workflow_version_record(
            workflow=workflow,
            logic=data["logic"],
            copy=data["copy"],
            summary=data["summary"],
            ticket=data["ticket"],
            time_entry=data["time_entry"],
            author=agent,
            now=now,
        ),
    )


@agent_required
@require_POST
def workflow_accept_live_view(request: HttpRequest, pk: int) -> HttpResponse:
    """What is live on Twilio becomes the recorded configuration (its drifts resolved)."""
    return _perform(
        request,
        pk,
        panel="accept",
        make_form=lambda workflow, now: Form(request.POST),
        action=lambda workflow, data, agent, now: drift_accept_live(
            workflow=workflow, author=agent, summary="live configuration accepted", now=now
        ),
    )
