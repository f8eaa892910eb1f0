"""Reading drift: a workflow's drift events for its page, and the classifier's evidence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F

from operant.desk.classify import WorkflowEvidence
from operant.monitoring.models import DriftEvent, Workflow, WorkflowIdentifier

RECENT = 50


@dataclass(frozen=True)
class DriftStatus:
    """How the drift check of a workflow stands (for its page)."""

    drifts: list[DriftEvent]  # open ones first (newest first), then the latest resolved
    open_count: int
    checked_at: datetime | None  # the last read that succeeded
    next_check_at: datetime | None  # None: nothing to read (not a Twilio workflow)
    failing_since: datetime | None
    message: str  # why reads fail, or what could not be compared


def workflow_drifts(workflow: Workflow, *, limit: int = RECENT) -> DriftStatus:
    """The workflow's drift events (open ones first) and its check's standing."""
    drifts = list(
        DriftEvent.objects.filter(workflow=workflow).order_by(
            F("resolved_at").desc(nulls_first=True), "-detected_at", "-pk"
        )[:limit]
    )
    return DriftStatus(
        drifts=drifts,
        open_count=sum(1 for d in drifts if d.resolved_at is None),
        checked_at=workflow.drift_checked_at,
        next_check_at=workflow.drift_check_due_at,
        failing_since=workflow.drift_check_failing_since,
        message=workflow.drift_check_message,
    )


def drift_evidence(client_ids: list[int]) -> dict[int, list[WorkflowEvidence]]:
    """The desk's evidence provider: each client's open drifts, with the names and identifiers
    a request may call the workflow by. Two queries for any number of clients (one when none
    has an open drift: the usual case)."""
    events = list(
        DriftEvent.objects.filter(resolved_at=None, workflow__client_id__in=client_ids)
        .order_by("workflow_id", "detected_at", "pk")
        .values_list(
            "workflow_id", "workflow__client_id", "workflow__name", "scope_category", "evidence"
        )
    )
    if not events:
        return {}
    identifiers: dict[int, list[str]] = {}
    for workflow_id, value in (
        WorkflowIdentifier.objects.filter(workflow_id__in={e[0] for e in events})
        .order_by("workflow_id", "kind", "value")
        .values_list("workflow_id", "value")
    ):
        identifiers.setdefault(workflow_id, []).append(value)
    found: dict[int, list[WorkflowEvidence]] = {}
    for workflow_id, client_id, name, category, evidence in events:
        found.setdefault(client_id, []).append(
            WorkflowEvidence(
                workflow=name,
                identifiers=tuple(identifiers.get(workflow_id, ())),
                scope_category=category,
                reason=evidence,
            )
        )
    return found
