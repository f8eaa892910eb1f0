"""Moving a workflow to the state ``health.assess`` decides, with a flip row for each change.

A transition is claimed with a conditional update on the state and due time the caller saw
(architecture 4.3): when a ping or another worker changed the row in between, the update
touches nothing and no second flip is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from operant.monitoring.health import assess
from operant.monitoring.models import Flip, Workflow
from operant.monitoring.providers.failure_rate import failure_recheck


def workflow_apply(
    *, workflow: Workflow, now: datetime, changes: Mapping[str, Any] | None = None
) -> Flip | None:
    """Write ``changes`` (new facts: a ping's time, a pause) and the state ``assess`` gives
    with them, in one conditional update. Returns the flip when the state changed; None when
    it did not, or when another process changed the row first (nothing is written then)."""
    changes = dict(changes or {})
    seen_state, seen_due = workflow.state, workflow.due_at
    for name, value in changes.items():
        setattr(workflow, name, value)
    verdict = assess(workflow, now)
    changes.update(state=verdict.state, state_reason=verdict.reason, due_at=verdict.due_at)
    claimed = Workflow.objects.filter(pk=workflow.pk, state=seen_state, due_at=seen_due).update(
        **changes
    )
    if claimed != 1:
        workflow.refresh_from_db()
        return None
    workflow.state, workflow.state_reason, workflow.due_at = (
        verdict.state,
        verdict.reason,
        verdict.due_at,
    )
    if verdict.state == seen_state:
        return None
    return Flip.objects.create(
        workflow=workflow,
        created_at=now,
        old_state=seen_state,
        new_state=verdict.state,
        reason=verdict.reason,
    )


def workflow_reassess(*, workflow: Workflow, now: datetime) -> Flip | None:
    """``workflow_apply`` with no new facts but what the passing of time changes: failed
    messages age out of the failure-rate window (``failure_recheck``: read only while the
    workflow is failing), so a failing workflow comes back when the rate falls."""
    return workflow_apply(
        workflow=workflow, now=now, changes=failure_recheck(workflow=workflow, now=now)
    )
