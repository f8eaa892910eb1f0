"""The client's own workflows: their state, last signal and downtime, and the versions the
desk recorded (with the minor adjustment each came from)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from operant.monitoring.queries import (
    open_outage_ticket,
    recent_signals,
    workflow_downtimes,
    workflow_versions,
    workflows_matching,
)
from operant.web.permissions import client_user_required
from operant.web.portal.lookups import client_of, client_workflow_or_404

# The list shows each workflow's latest downtimes; its page shows them all.
RECENT_DOWNTIMES = 3


@client_user_required
@require_GET
def workflow_list(request: HttpRequest) -> HttpResponse:
    client = client_of(request)
    workflows = list(workflows_matching(client=client))
    timelines = recent_signals(workflows)
    rows = [
        {
            "workflow": workflow,
            "signals": timelines[workflow.pk],
            "outage_ticket": open_outage_ticket(workflow),
            "downtimes": list(workflow_downtimes(workflow)[:RECENT_DOWNTIMES]),
        }
        for workflow in workflows
    ]
    context = {"client": client, "rows": rows, "now": timezone.now()}
    return render(request, "web/portal/workflows.html", context)


@client_user_required
@require_GET
def workflow_detail(request: HttpRequest, pk: int) -> HttpResponse:
    client = client_of(request)
    workflow = client_workflow_or_404(client, pk)
    context = {
        "client": client,
        "workflow": workflow,
        "outage_ticket": open_outage_ticket(workflow),
        "identifiers": workflow.identifiers.all(),
        "signals": recent_signals([workflow])[workflow.pk],
        "downtimes": workflow_downtimes(workflow),
        "versions": workflow_versions(workflow),
        "now": timezone.now(),
    }
    return render(request, "web/portal/workflow.html", context)
