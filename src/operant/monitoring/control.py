"""An agent pausing and resuming a workflow's monitoring (recorded with a reason)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction

from operant.monitoring.errors import MonitoringError
from operant.monitoring.models import Signal, SignalKind, SignalSource, Workflow
from operant.monitoring.transitions import workflow_apply

if TYPE_CHECKING:
    from operant.accounts.models import User


def _record(workflow: Workflow, *, actor: User | None, text: str, now: datetime) -> None:
    Signal.objects.create(
        workflow=workflow,
        at=now,
        source=SignalSource.AGENT,
        kind=SignalKind.LOG,
        body=text,
        detail={"actor": actor.email if actor else None},
    )


def workflow_pause(
    *, workflow: Workflow, reason: str, actor: User | None, now: datetime
) -> Workflow:
    """Stop alerting on this workflow until resumed; the reason is shown and kept."""
    reason = reason.strip()
    if not reason:
        raise MonitoringError("say why the workflow is paused (it is shown on the board)")
    with transaction.atomic():
        workflow = Workflow.objects.select_for_update().get(pk=workflow.pk)
        if workflow.paused_at is not None:
            raise MonitoringError(f"{workflow.name} is already paused")
        workflow_apply(
            workflow=workflow,
            now=now,
            changes={"paused_at": now, "paused_reason": reason[:255], "paused_by": actor},
        )
        _record(workflow, actor=actor, text=f"paused: {reason}", now=now)
    return workflow


def workflow_resume(*, workflow: Workflow, actor: User | None, now: datetime) -> Workflow:
    """Monitor again; the state is assessed afresh from what was heard meanwhile."""
    with transaction.atomic():
        workflow = Workflow.objects.select_for_update().get(pk=workflow.pk)
        if workflow.paused_at is None:
            raise MonitoringError(f"{workflow.name} is not paused")
        workflow_apply(
            workflow=workflow,
            now=now,
            changes={"paused_at": None, "paused_reason": "", "paused_by": None},
        )
        _record(workflow, actor=actor, text="resumed", now=now)
    return workflow
