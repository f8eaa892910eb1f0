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

from operant.core.bulk import counters_add
from operant.core.rows import values_where
from operant.monitoring.models import MessageOutcomes

# The workflow's failure rule: what failure_facts reads beyond the health facts.
RULE_FIELDS = ("failure_rate_percent", "failure_min_messages", "failure_window_seconds")

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
    """Add one outcome to the workflow's row for this minute, the row made by the first
    outcome of the minute: one statement, whichever of two concurrent writers comes first."""
    counters_add(
        MessageOutcomes,
        key={"workflow_id": workflow_id, "minute": minute_of(now)},
        add={"failed" if failed else "delivered": 1},
    )


def window_counts(*, workflow: Workflow, now: datetime) -> Counts:
    since = minute_of(now - timedelta(seconds=workflow.failure_window_seconds))
    # At most window/60 rows, summed here: cheaper to build than an aggregate query, and this
    # runs for every counted message (so does values_where's statement, built once).
    rows = values_where(
        MessageOutcomes,
        ("delivered", "failed"),
        [("workflow", "=", workflow.pk), ("minute", ">=", since), ("minute", "<=", now)],
    )
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
