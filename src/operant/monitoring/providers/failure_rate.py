"""The failure rate of a workflow's messages, and the one decision taken from it.

Outcomes are counted per workflow and minute (``MessageOutcomes``): the rate over a window is
the sum of at most window/60 rows, whatever the volume. A workflow is failing when, within its
``failure_window_seconds`` (to the minute), at least ``failure_min_messages`` outcomes were
counted and at least ``failure_rate_percent`` of them failed. Fewer outcomes than the minimum
say nothing: one carrier hiccup never takes a workflow down, and a window that has emptied
clears the failure (silence is the heartbeat's and the silence rule's business).

``rate_verdict`` is the one decision; the callback path (``failure_facts``) and the worker's
recheck (``failure_recheck``, from ``workflow_reassess``) both ask it, and both hand the facts
to ``workflow_apply``, which leaves the state to ``health.assess``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import F

from operant.monitoring.models import MessageOutcomes

if TYPE_CHECKING:
    from operant.monitoring.models import Workflow


@dataclass(frozen=True)
class Counts:
    delivered: int
    failed: int

    @property
    def total(self) -> int:
        return self.delivered + self.failed


@dataclass(frozen=True)
class RateVerdict:
    failing: bool
    reason: str


def rate_verdict(
    counts: Counts, *, percent: int, min_messages: int, window_seconds: int
) -> RateVerdict:
    """Failing when at least ``min_messages`` outcomes were counted and at least ``percent``
    of them failed (integer arithmetic: 3 of 12 is exactly 25%)."""
    if counts.total == 0 or counts.total < max(min_messages, 1):
        return RateVerdict(False, "")
    if counts.failed * 100 < percent * counts.total:
        return RateVerdict(False, "")
    minutes = max(window_seconds // 60, 1)
    return RateVerdict(
        True,
        f"{counts.failed} of {counts.total} messages failed in the last {minutes} minutes "
        f"(limit {percent}%)",
    )


def minute_of(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


def outcome_count(*, workflow_id: int, failed: bool, now: datetime) -> None:
    """Add one outcome to the workflow's row for this minute.

    An UPDATE first (the usual case: the row exists); the first outcome of a minute inserts
    it inside a savepoint, and when a concurrent writer inserted it first (the unique key
    refuses ours) the UPDATE is repeated: correct on SQLite and PostgreSQL alike."""
    field = "failed" if failed else "delivered"
    rows = MessageOutcomes.objects.filter(workflow_id=workflow_id, minute=minute_of(now))
    if rows.update(**{field: F(field) + 1}):
        return
    try:
        with transaction.atomic():
            MessageOutcomes.objects.create(
                workflow_id=workflow_id, minute=minute_of(now), **{field: 1}
            )
    except IntegrityError:
        rows.update(**{field: F(field) + 1})


def window_counts(*, workflow: Workflow, now: datetime) -> Counts:
    since = minute_of(now - timedelta(seconds=workflow.failure_window_seconds))
    # At most window/60 rows, summed here: cheaper to build than an aggregate query, and this
    # runs for every counted message.
    rows = MessageOutcomes.objects.filter(
        workflow_id=workflow.pk, minute__gte=since, minute__lte=now
    ).values_list("delivered", "failed")
    delivered = failed = 0
    for row_delivered, row_failed in rows:
        delivered += row_delivered
        failed += row_failed
    return Counts(delivered=delivered, failed=failed)


def failure_facts(*, workflow: Workflow, now: datetime) -> dict[str, object]:
    """The failure facts for ``workflow_apply`` from the current window: ``failing_since``
    keeps the time the rate first crossed the limit, and clears when it falls below."""
    verdict = rate_verdict(
        window_counts(workflow=workflow, now=now),
        percent=workflow.failure_rate_percent,
        min_messages=workflow.failure_min_messages,
        window_seconds=workflow.failure_window_seconds,
    )
    if verdict.failing:
        return {"failing_since": workflow.failing_since or now, "failing_reason": verdict.reason}
    return {"failing_since": None, "failing_reason": ""}


def failure_recheck(*, workflow: Workflow, now: datetime) -> dict[str, object]:
    """What the passing of time changes in the failure facts: failures age out of the
    window. Nothing to read while the workflow is not failing (it cannot start failing
    without a new outcome, and each outcome is decided when it arrives)."""
    if workflow.failing_since is None:
        return {}
    return failure_facts(workflow=workflow, now=now)
