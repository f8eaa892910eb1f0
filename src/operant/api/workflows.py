"""Workflow routes for Operant staff: register, read, change, pause, resume, status, list.

Every change goes through ``operant.monitoring`` (registry, control); a refusal there is a
``UserError``, which main.py answers 400. An unknown workflow is 404.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.errors import HttpError

from operant.api.auth import AgentTokenAuth, token_of
from operant.api.schemas import ERRORS, ErrorOut, PageParams, RowId
from operant.api.workflow_schemas import (
    PauseIn,
    StatusOut,
    WorkflowCreateIn,
    WorkflowFilters,
    WorkflowOut,
    WorkflowPage,
    WorkflowUpdateIn,
)
from operant.monitoring.control import workflow_pause, workflow_resume
from operant.monitoring.models import Downtime, Workflow
from operant.monitoring.queries import client_by_slug, recent_signals, workflows_matching
from operant.monitoring.registry import Identifiers, workflow_create, workflow_update
from operant.monitoring.serialize import WorkflowNotFound, workflow_by_id, workflow_json

router = Router(tags=["workflows"], auth=AgentTokenAuth(), by_alias=True)

WITH_WORKFLOW: dict[int, Any] = {**ERRORS, 400: ErrorOut, 404: ErrorOut}


def _workflow(pk: int) -> Workflow:
    try:
        return workflow_by_id(pk)
    except WorkflowNotFound as exc:
        raise HttpError(404, str(exc)) from None


def _fresh(workflow: Workflow) -> dict[str, Any]:
    return workflow_json(_workflow(workflow.pk))


@router.get("/workflows", response={200: WorkflowPage, 400: ErrorOut, **ERRORS})
def workflows_list(
    request: HttpRequest, filters: Query[WorkflowFilters], page: Query[PageParams]
) -> dict[str, Any]:
    """Workflows by client and name; every filter given must match. An unknown client is 400."""
    rows = workflows_matching(
        client=client_by_slug(filters.client) if filters.client else None,
        platform=filters.platform or "",
        state=filters.state or "",
    )
    window = rows[page.offset : page.offset + page.limit]
    return {
        "count": rows.count(),
        "limit": page.limit,
        "offset": page.offset,
        "items": [workflow_json(workflow) for workflow in window],
    }


@router.post("/workflows", response={201: WorkflowOut, 400: ErrorOut, **ERRORS})
def workflows_create(request: HttpRequest, body: WorkflowCreateIn) -> Status[dict[str, Any]]:
    """Register a client workflow; its integrations must be in the client's package."""
    workflow = workflow_create(
        client=client_by_slug(body.client),
        name=body.name,
        platform=body.platform,
        integration_keys=body.integrations,
        identifiers=Identifiers(phones=body.phones, accounts=body.accounts, sids=body.sids),
        owner_notes=body.owner_notes,
        period_seconds=body.period_seconds,
        grace_seconds=body.grace_seconds,
        cron=body.cron,
        tz=body.tz,
        silence_hours=body.silence_hours,
        logic=body.logic,
        copy=body.copy_,
        author=token_of(request).user,
        now=timezone.now(),
    )
    return Status(201, _fresh(workflow))


@router.get("/workflows/{workflow_id}", response={200: WorkflowOut, **WITH_WORKFLOW})
def workflows_detail(request: HttpRequest, workflow_id: RowId) -> dict[str, Any]:
    return workflow_json(_workflow(workflow_id))


# Fields where null means "none" (no period, no silence limit); null elsewhere means unchanged.
NULLABLE = {"period_seconds", "silence_hours"}
LISTS = ("phones", "sids", "accounts")


def _changes(workflow: Workflow, body: WorkflowUpdateIn) -> dict[str, Any]:
    sent = {
        key: value
        for key, value in body.model_dump(exclude_unset=True).items()
        if value is not None or key in NULLABLE
    }
    changes = {key: sent[key] for key in sent.keys() - {"integrations", *LISTS}}
    if "integrations" in sent:
        changes["integration_keys"] = sent["integrations"]
    if sent.keys() & set(LISTS):
        current = workflow_json(workflow)["identifiers"]
        changes["identifiers"] = Identifiers(
            **{kind: sent.get(kind, current[kind]) for kind in LISTS}
        )
    return changes


@router.patch("/workflows/{workflow_id}", response={200: WorkflowOut, **WITH_WORKFLOW})
def workflows_update(
    request: HttpRequest, workflow_id: RowId, body: WorkflowUpdateIn
) -> dict[str, Any]:
    """Change the fields sent; the state is reassessed under the new schedule."""
    workflow = _workflow(workflow_id)
    workflow_update(workflow=workflow, now=timezone.now(), **_changes(workflow, body))
    return _fresh(workflow)


@router.post("/workflows/{workflow_id}/pause", response={200: WorkflowOut, **WITH_WORKFLOW})
def workflows_pause(request: HttpRequest, workflow_id: RowId, body: PauseIn) -> dict[str, Any]:
    """Stop alerting on the workflow until resumed; the reason is kept and shown."""
    workflow = workflow_pause(
        workflow=_workflow(workflow_id),
        reason=body.reason,
        actor=token_of(request).user,
        now=timezone.now(),
    )
    return _fresh(workflow)


@router.post("/workflows/{workflow_id}/resume", response={200: WorkflowOut, **WITH_WORKFLOW})
def workflows_resume(request: HttpRequest, workflow_id: RowId) -> dict[str, Any]:
    workflow = workflow_resume(
        workflow=_workflow(workflow_id), actor=token_of(request).user, now=timezone.now()
    )
    return _fresh(workflow)


@router.get("/workflows/{workflow_id}/status", response={200: StatusOut, **WITH_WORKFLOW})
def workflows_status(request: HttpRequest, workflow_id: RowId) -> dict[str, Any]:
    """The state, why, what was last heard, and the open outage ticket and downtime."""
    workflow = _workflow(workflow_id)
    data = workflow_json(workflow)
    down = Downtime.objects.filter(workflow=workflow, ended_at=None).order_by("-started_at")
    return {
        **{key: data[key] for key in ("id", "state", "state_reason", "outage_ticket")},
        "last_signal_at": workflow.last_signal_at,
        "due_at": workflow.due_at,
        "down_since": down.values_list("started_at", flat=True).first(),
        "signals": recent_signals([workflow])[workflow.pk],
    }
