"""Moving a workflow to the state ``health.assess`` decides, with a flip row for each change.

A transition is claimed with a conditional update (architecture 4.3): the row is written only
while it still holds the state, the due time and every other fact ``assess`` read from it, so
the state written is always the one ``assess`` gives for the row as written, and when another
worker changed the row in between, the claim touches nothing and no second flip is written.
Callers need not lock the row first (the ping endpoint does not): a lost claim is retried
once on the row read again under its lock, so no caller's facts are lost. A claim that
changes the state is written with its flip in one transaction; one that does not is a
single statement.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import nullcontext
from datetime import datetime
from typing import Any

from django.db import transaction

from operant.core.bulk import conditional_update
from operant.monitoring.health import HEALTH_FIELDS, assess
from operant.monitoring.models import Flip, Workflow
from operant.monitoring.providers.failure_rate import failure_recheck

# What workflow_apply reads from the row: the facts assess needs, the state and due time it
# claims on. An instance loaded with these (and its key) is enough for it.
APPLY_FIELDS = ("state", "state_reason", "due_at", *HEALTH_FIELDS)


class _Lost:
    """The row changed since it was read: nothing was written."""


LOST = _Lost()


def _claim(workflow: Workflow, now: datetime, changes: Mapping[str, Any]) -> Flip | _Lost | None:
    """One attempt: the flip written (None when the state stays), or LOST."""
    seen_state = workflow.state
    expected = {"state": seen_state, "due_at": workflow.due_at}
    # A fact being overwritten cannot make the verdict stale; every other one must be as read.
    expected.update(
        (name, getattr(workflow, name)) for name in HEALTH_FIELDS if name not in changes
    )
    for name, value in changes.items():
        setattr(workflow, name, value)
    verdict = assess(workflow, now)
    written = {
        **changes,
        "state": verdict.state,
        "state_reason": verdict.reason,
        "due_at": verdict.due_at,
    }
    flips = verdict.state != seen_state
    # The new state and its flip are stored together or not at all; a write that changes no
    # state is one statement (no BEGIN and COMMIT: two round trips fewer on PostgreSQL).
    # savepoint=False: inside a caller's transaction this adds nothing at all.
    with transaction.atomic(savepoint=False) if flips else nullcontext():
        if conditional_update(Workflow, workflow.pk, expected, written) != 1:
            return LOST
        workflow.state, workflow.state_reason, workflow.due_at = (
            verdict.state,
            verdict.reason,
            verdict.due_at,
        )
        if not flips:
            return None
        return Flip.objects.create(
            workflow=workflow,
            created_at=now,
            old_state=seen_state,
            new_state=verdict.state,
            reason=verdict.reason,
        )


def _reread_locked(workflow: Workflow) -> None:
    """Load the row's APPLY_FIELDS again, locking it; DoesNotExist when it is gone."""
    locked = Workflow.objects.select_for_update().filter(pk=workflow.pk)
    fresh = locked.values(*APPLY_FIELDS).first()
    if fresh is None:
        raise Workflow.DoesNotExist(f"workflow {workflow.pk} no longer exists")
    for name, value in fresh.items():
        setattr(workflow, name, value)


def workflow_apply(
    *, workflow: Workflow, now: datetime, changes: Mapping[str, Any] | None = None
) -> Flip | None:
    """Write ``changes`` (new facts: a ping's time, a pause) and the state ``assess`` gives
    with them, in one conditional update. Returns the flip when the state changed (the one
    flip of that change, however many processes raced for it); None when it did not.
    Workflow.DoesNotExist when the row is gone. ``workflow`` needs APPLY_FIELDS loaded."""
    changes = dict(changes or {})
    outcome = _claim(workflow, now, changes)
    if not isinstance(outcome, _Lost):
        return outcome
    # Someone wrote the row since it was read: read it again, locked so nobody can again, and
    # decide on what is there now (only this rare path pays for the transaction).
    with transaction.atomic():
        _reread_locked(workflow)
        outcome = _claim(workflow, now, changes)
    if isinstance(outcome, _Lost):
        raise RuntimeError(f"workflow {workflow.pk} changed under its own row lock")
    return outcome


def workflow_reassess(*, workflow: Workflow, now: datetime) -> Flip | None:
    """``workflow_apply`` with no new facts but what the passing of time changes: failed
    messages age out of the failure-rate window (``failure_recheck``: read only while the
    workflow is failing), so a failing workflow comes back when the rate falls."""
    return workflow_apply(
        workflow=workflow, now=now, changes=failure_recheck(workflow=workflow, now=now)
    )
