"""The one decision about a workflow's state: from the facts stored on its row and the time,
what state it is in, why, and when that next needs a look.

The ping endpoint, the provider webhooks and the worker's due scan all ask ``assess``; none
decides a state by itself (architecture 4.12: one rule, one place).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from operant.core.timefmt import iso_or_none
from operant.monitoring.models import ScheduleKind, WorkflowState
from operant.monitoring.schedule import Schedule

if TYPE_CHECKING:
    from operant.monitoring.models import Workflow

# Every field of the row ``assess`` reads (and nothing else): what the hot paths load, and what
# ``workflow_apply``'s conditional update checks is unchanged. A rule reading a new field must
# name it here; tests/monitoring/test_health_fields.py fails otherwise.
HEALTH_FIELDS = (
    "created_at",
    "schedule_kind",
    "period_seconds",
    "grace_seconds",
    "cron",
    "cron_tz",
    "silence_hours",
    "last_ping_at",
    "last_ping_failed",
    "last_start_at",
    "last_event_at",
    "failing_since",
    "failing_reason",
    "paused_at",
    "paused_reason",
)

# While the failure rate is over its threshold, look again this often: failures age out of
# the window even when no new callback arrives.
FAILING_RECHECK = timedelta(minutes=1)


@dataclass(frozen=True)
class Assessment:
    state: str
    reason: str
    due_at: datetime | None  # when the state may next change by time alone


def schedule_of(workflow: Workflow) -> Schedule | None:
    if workflow.schedule_kind == ScheduleKind.SIMPLE and workflow.period_seconds:
        return Schedule(
            grace=timedelta(seconds=workflow.grace_seconds),
            period=timedelta(seconds=workflow.period_seconds),
        )
    if workflow.schedule_kind == ScheduleKind.CRON and workflow.cron:
        return Schedule(
            grace=timedelta(seconds=workflow.grace_seconds), cron=workflow.cron, tz=workflow.cron_tz
        )
    return None


def _earliest(*times: datetime | None) -> datetime | None:
    present = [t for t in times if t is not None]
    return min(present) if present else None


def _heartbeat(workflow: Workflow, now: datetime) -> tuple[str | None, str, datetime | None]:
    """The heartbeat's verdict: (state or None when it has none yet, reason, next look).

    1. No schedule, or no ping yet: no verdict (a new workflow is not down).
    2. The last run reported failure: down until a success.
    3. A run started and has not finished within the grace time: down.
    4. Past the expected time plus grace: down; past the expected time: late; else up.
    """
    schedule = schedule_of(workflow)
    if schedule is None or workflow.last_ping_at is None:
        return None, "", None
    if workflow.last_ping_failed:
        return WorkflowState.DOWN, "the last run reported a failure", None
    started = workflow.last_start_at
    started_due = None
    # A finishing ping clears the start, so a start still recorded is a run in progress.
    if started is not None:
        started_due = started + schedule.grace
        if now >= started_due:
            return (
                WorkflowState.DOWN,
                f"a run started at {iso_or_none(started)} did not finish within the grace time",
                None,
            )
    expected = schedule.next_expected(workflow.last_ping_at)
    down_at = expected + schedule.grace
    if now >= down_at:
        return WorkflowState.DOWN, f"no heartbeat since {iso_or_none(workflow.last_ping_at)}", None
    if now >= expected:
        return (
            WorkflowState.LATE,
            f"heartbeat expected by {iso_or_none(expected)}",
            _earliest(down_at, started_due),
        )
    return WorkflowState.UP, "", _earliest(expected, started_due)


def _silence(workflow: Workflow, now: datetime) -> tuple[bool, str, datetime | None]:
    """Whether the provider has been silent longer than the workflow allows."""
    if not workflow.silence_hours:
        return False, "", None
    since = workflow.last_event_at or workflow.created_at
    limit = since + timedelta(hours=workflow.silence_hours)
    if now >= limit:
        return True, f"no Meta event for {workflow.silence_hours} hours", None
    return False, "", limit


def assess(workflow: Workflow, now: datetime) -> Assessment:
    """1. Paused: paused, nothing due. 2. Any part down (heartbeat, failure rate, silence):
    down, with every reason. 3. Heartbeat late: late. 4. Anything heard: up; else new."""
    if workflow.paused_at is not None:
        return Assessment(WorkflowState.PAUSED, workflow.paused_reason, None)
    beat, beat_reason, beat_due = _heartbeat(workflow, now)
    silent, silence_reason, silence_due = _silence(workflow, now)
    failing_due = now + FAILING_RECHECK if workflow.failing_since is not None else None
    due = _earliest(beat_due, silence_due, failing_due)
    down_reasons = [
        reason
        for is_down, reason in (
            (beat == WorkflowState.DOWN, beat_reason),
            (workflow.failing_since is not None, workflow.failing_reason),
            (silent, silence_reason),
        )
        if is_down
    ]
    if down_reasons:
        return Assessment(WorkflowState.DOWN, "; ".join(down_reasons)[:255], due)
    if beat == WorkflowState.LATE:
        return Assessment(WorkflowState.LATE, beat_reason, due)
    if workflow.last_ping_at is not None or workflow.last_event_at is not None:
        return Assessment(WorkflowState.UP, "", due)
    return Assessment(WorkflowState.NEW, "", due)
