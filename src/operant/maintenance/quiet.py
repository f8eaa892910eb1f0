"""Quiet during maintenance: monitoring asks ``alerts_quiet_reason`` before alerting anyone,
and this check (registered in apps.py) answers for a workflow inside one of its windows."""

from __future__ import annotations

from datetime import datetime

from operant.maintenance.models import Occurrence
from operant.maintenance.scope import windows_for_workflow
from operant.monitoring.models import Workflow

# How a reason of this check begins (monitoring keeps it on the flip it kept quiet).
REASON_PREFIX = "planned maintenance"


def occurrence_on_for(*, workflow_id: int, now: datetime) -> Occurrence | None:
    """The occurrence covering the workflow at ``now`` that ends last, if any."""
    return (
        Occurrence.objects.filter(
            starts_at__lte=now, ends_at__gt=now, window__in=windows_for_workflow(workflow_id)
        )
        .select_related("window")
        .order_by("-ends_at")
        .first()
    )


def maintenance_quiet_reason(workflow: Workflow, now: datetime) -> str | None:
    occurrence = occurrence_on_for(workflow_id=workflow.pk, now=now)
    if occurrence is None:
        return None
    return (
        f"{REASON_PREFIX} {occurrence.window.title!r} until "
        f"{occurrence.ends_at.isoformat(timespec='minutes')}"
    )
