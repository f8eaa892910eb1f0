"""Heartbeats with healthchecks.io's semantics: success, start, fail, an exit status, and log
(recorded, no state change); an optional run id pairs a start with its finish."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from operant.core.bulk import bulk_insert
from operant.core.rows import instance_get
from operant.monitoring.models import Signal, SignalKind, SignalSource, Workflow
from operant.monitoring.transitions import APPLY_FIELDS, workflow_apply


@dataclass(frozen=True)
class Ping:
    kind: str  # SignalKind: success, start, fail or log
    body: bytes = b""
    exit_status: int | None = None
    rid: uuid.UUID | None = None
    method: str = "POST"
    remote_addr: str = ""
    user_agent: str = ""


@dataclass(frozen=True)
class PingOutcome:
    workflow_id: int
    state: str
    body_truncated: bool


def ping_kind_for_exit(status: int) -> str:
    """An exit status of 0 is a success; anything else a failure (as in a shell)."""
    return SignalKind.SUCCESS if status == 0 else SignalKind.FAIL


def _run_duration_ms(workflow: Workflow, ping: Ping, now: datetime) -> int | None:
    """How long the run this ping finishes took: from the start with the same run id, or,
    without one, from the workflow's last start."""
    if ping.kind not in (SignalKind.SUCCESS, SignalKind.FAIL):
        return None
    started = workflow.last_start_at
    if ping.rid is not None:
        started = (
            Signal.objects.filter(workflow=workflow, kind=SignalKind.START, rid=ping.rid)
            .order_by("-at")
            .values_list("at", flat=True)
            .first()
        )
    if started is None or started > now:
        return None
    return int((now - started).total_seconds() * 1000)


def _facts(ping: Ping, now: datetime) -> dict[str, object]:
    facts: dict[str, object] = {"last_signal_at": now}
    if ping.kind == SignalKind.START:
        facts["last_start_at"] = now
    elif ping.kind in (SignalKind.SUCCESS, SignalKind.FAIL):
        facts.update(
            last_ping_at=now, last_ping_failed=ping.kind == SignalKind.FAIL, last_start_at=None
        )
    return facts


def ping_record(*, code: uuid.UUID, ping: Ping, now: datetime) -> PingOutcome | None:
    """Store a heartbeat and move the workflow to the state it now has (a flip if it
    changed). None when no workflow has that code: nothing is stored."""
    limit = settings.OPERANT_PING_BODY_LIMIT
    # Only what the decision needs, through a statement built once (instance_get): the ORM's
    # get() compiled a 40-column SELECT per ping, most of this endpoint's time. Read without
    # a lock: workflow_apply's conditional update notices a row changed since, and decides
    # again on the row as it is then.
    workflow = instance_get(Workflow, APPLY_FIELDS, by="code", value=code)
    if workflow is None:
        return None
    duration_ms = _run_duration_ms(workflow, ping, now)
    # The facts first, then the log row, each one statement and no transaction around them
    # (on PostgreSQL three round trips a ping instead of five). The answer is sent after
    # both, so every 2xx has its row; a failure between them leaves the facts of a ping the
    # client was told failed (and may send again), never a logged ping the state ignored.
    try:
        workflow_apply(workflow=workflow, now=now, changes=_facts(ping, now))
    except Workflow.DoesNotExist:  # deleted since it was read
        return None
    # One row through bulk_insert: create() also compiles each value and sends pre_save
    # and post_save, which no receiver uses for these rows (a third more per insert).
    signal = Signal(
        workflow=workflow,
        at=now,
        source=SignalSource.PING,
        kind=ping.kind,
        exit_status=ping.exit_status,
        rid=ping.rid,
        duration_ms=duration_ms,
        method=ping.method,
        remote_addr=ping.remote_addr[:64],
        user_agent=ping.user_agent[:200],
        body=ping.body[:limit].decode("utf-8", "replace"),
        body_truncated=len(ping.body) > limit,
    )
    bulk_insert(Signal, [signal])
    return PingOutcome(
        workflow_id=workflow.pk, state=workflow.state, body_truncated=len(ping.body) > limit
    )
