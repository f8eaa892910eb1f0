"""The drift check and accepting the live configuration (clause 02 evidence).

The worker reads each Twilio workflow's live configuration every ``CHECK_INTERVAL`` (indexed
``Workflow.drift_check_due_at``, claimed with a conditional update so two workers never read the
same workflow at once) and compares it with the registry's current version. A change nobody
recorded is a ``DriftEvent``: a signal in the workflow's log, the operator on duty alerted (once
per event; not while alerts are quiet), and evidence for the classifier until it is resolved.

An event is resolved when the live configuration matches the registry again, when a further
change supersedes it, or when an agent accepts the live configuration as a new version.

A read that fails (no or undecryptable credentials, a token Twilio refuses, Twilio down) is
recorded on the workflow and retried after ``RETRY_AFTER``; the operator is alerted once when
reads have failed for ``ALERT_FAILING_AFTER`` (one blip is not worth waking anyone).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction

from operant.core.timefmt import human_datetime
from operant.monitoring.alerts import operators_alert
from operant.monitoring.drift.compare import Comparison, drifts_between
from operant.monitoring.drift.live import DriftReadError, drift_targets, live_config_read
from operant.monitoring.errors import MonitoringError
from operant.monitoring.models import (
    DriftEvent,
    Platform,
    Signal,
    SignalKind,
    SignalSource,
    Workflow,
    WorkflowVersion,
)
from operant.monitoring.quiet import alerts_quiet_reason
from operant.monitoring.registry import workflow_version_record

if TYPE_CHECKING:
    from operant.accounts.models import User
    from operant.allowance.models import TimeEntry
    from operant.desk.models import Ticket

log = logging.getLogger(__name__)

CHECK_INTERVAL = timedelta(minutes=15)
RETRY_AFTER = timedelta(minutes=5)
# A worker that dies mid-read leaves the workflow due again after this.
CLAIM_LEASE = timedelta(minutes=5)
ALERT_FAILING_AFTER = timedelta(minutes=30)
# Each check is a few HTTP requests: a pass handles a few, the next pass the rest.
BATCH = 20
TWILIO_PLATFORMS = (Platform.TWILIO_STUDIO, Platform.TWILIO_FUNCTIONS)


@dataclass
class CheckOutcome:
    status: str  # "checked" | "failed" | "nothing to read" | "nothing recorded"
    message: str = ""
    new_events: list[DriftEvent] = field(default_factory=list)
    resolved: int = 0


def workflows_check_drift(*, now: datetime) -> int:
    """The worker job: check the workflows whose drift check is due."""
    due = list(
        Workflow.objects.filter(drift_check_due_at__lte=now)
        .order_by("drift_check_due_at")
        .values_list("pk", "drift_check_due_at")[:BATCH]
    )
    handled = 0
    for pk, seen in due:
        lease = now + CLAIM_LEASE
        if not Workflow.objects.filter(pk=pk, drift_check_due_at=seen).update(
            drift_check_due_at=lease
        ):
            continue  # another worker claimed it
        workflow = Workflow.objects.select_related("client").get(pk=pk)
        drift_check(workflow=workflow, now=now, claimed=lease)
        handled += 1
    return handled


NOTHING_RECORDED = (
    "no live configuration recorded yet: accept the live configuration to start drift checks"
)


def _schedule(pk: int, claimed: datetime | None, **fields: Any) -> None:
    """Write the check's result. With ``claimed``, the next due time only if nobody asked for
    a check meanwhile (the registry makes it due now when the workflow's identifiers change)."""
    rows = Workflow.objects.filter(pk=pk)
    if claimed is not None:
        if rows.filter(drift_check_due_at=claimed).update(**fields):
            return
        fields.pop("drift_check_due_at")
    rows.update(**fields)


def drift_check(
    *, workflow: Workflow, now: datetime, claimed: datetime | None = None
) -> CheckOutcome:
    """Read, compare, record. ``claimed``: the due time the worker claimed the workflow with."""
    targets = drift_targets(workflow)
    if workflow.platform not in TWILIO_PLATFORMS or not targets:
        _schedule(
            workflow.pk,
            claimed,
            drift_check_due_at=None,
            drift_check_failing_since=None,
            drift_check_message="",
        )
        return CheckOutcome("nothing to read")
    current = WorkflowVersion.objects.filter(workflow=workflow).order_by("-number").first()
    if current is None or not current.live_config:
        # Nothing recorded to compare against, so nothing can have drifted: no read (and no
        # failing read for a client whose credentials are not stored yet). Looked at again
        # at the next interval, after an agent may have accepted the live configuration.
        _schedule(
            workflow.pk,
            claimed,
            drift_check_due_at=now + CHECK_INTERVAL,
            drift_check_failing_since=None,
            drift_check_message=NOTHING_RECORDED,
        )
        return CheckOutcome("nothing recorded", message=NOTHING_RECORDED)
    try:
        live = live_config_read(workflow=workflow, targets=targets)
    except DriftReadError as error:
        return _failed(workflow, now, claimed, str(error))
    with transaction.atomic():
        # The version is read under the lock: an agent accepting the live configuration
        # meanwhile makes the new version the one compared against.
        _lock(workflow)
        version = WorkflowVersion.objects.filter(workflow=workflow).order_by("-number").first()
        comparison = drifts_between(
            expected=version.live_config if version else None,
            version=version.number if version else None,
            live=live,
            now=now,
            zone=workflow.client.zone,
        )
        outcome = _record(workflow, comparison, version, now)
        _schedule(
            workflow.pk,
            claimed,
            drift_check_due_at=now + CHECK_INTERVAL,
            drift_checked_at=now,
            drift_check_failing_since=None,
            drift_check_message="; ".join(comparison.notes)[:255],
        )
        quiet = alerts_quiet_reason(workflow, now)
        for event in outcome.new_events:
            if quiet is None:
                _alert(workflow, event, now)
    outcome.message = "; ".join(comparison.notes)
    return outcome


def _lock(workflow: Workflow) -> None:
    """One writer of a workflow's drift events at a time (a check and an agent's accept)."""
    list(Workflow.objects.select_for_update().filter(pk=workflow.pk).values_list("pk"))


def _record(
    workflow: Workflow, comparison: Comparison, version: WorkflowVersion | None, now: datetime
) -> CheckOutcome:
    open_events = {
        e.subject: e for e in DriftEvent.objects.filter(workflow=workflow, resolved_at=None)
    }
    outcome = CheckOutcome("checked")
    for drift in comparison.drifts:
        existing = open_events.pop(drift.subject, None)
        if existing is not None:
            if (existing.expected, existing.live) == (drift.expected, drift.live):
                continue  # the same drift, seen again: recorded once
            _resolve(existing, now, "superseded by a later change")
        event = DriftEvent.objects.create(
            workflow=workflow,
            detected_at=now,
            kind=drift.kind,
            subject=drift.subject,
            version=version,
            expected=drift.expected,
            live=drift.live,
            changed_at=drift.changed_at,
            scope_category=drift.scope_category,
            evidence=drift.evidence,
        )
        Signal.objects.create(
            workflow=workflow,
            at=now,
            source=SignalSource.DRIFT,
            kind=SignalKind.EVENT,
            body=drift.evidence,
            provider_key=f"drift:{event.pk}",
            detail={
                "drift": event.pk,
                "kind": drift.kind,
                "subject": drift.subject,
                "expected": drift.expected,
                "live": drift.live,
                "scope_category": drift.scope_category,
                "version": version.number if version else None,
            },
        )
        outcome.new_events.append(event)
    matched = f"matches v{version.number} again" if version else "is no longer compared"
    for event in open_events.values():
        _resolve(event, now, f"the live configuration {matched}")
        outcome.resolved += 1
    return outcome


def _resolve(event: DriftEvent, now: datetime, resolution: str) -> None:
    event.resolved_at, event.resolution = now, resolution[:255]
    DriftEvent.objects.filter(pk=event.pk).update(resolved_at=now, resolution=event.resolution)
    Signal.objects.create(
        workflow_id=event.workflow_id,
        at=now,
        source=SignalSource.DRIFT,
        kind=SignalKind.LOG,
        body=f"drift resolved ({event.subject}): {event.resolution}",
        provider_key=f"drift:{event.pk}:resolved",
        detail={"drift": event.pk, "subject": event.subject, "resolution": event.resolution},
    )


def _alert(workflow: Workflow, event: DriftEvent, now: datetime) -> None:
    client = workflow.client
    operators_alert(
        subject=f"DRIFT: {workflow.name} ({client.name}) changed outside Operant",
        text=(
            f'{client.name}\'s workflow "{workflow.name}" no longer matches the registry.\n\n'
            f"{event.evidence}.\n\n"
            f"Detected {human_datetime(now, client.zone)}. If the change was agreed, accept the "
            "live configuration as a new version; otherwise put it back. Until then the "
            "client's tickets about this workflow are classified with this evidence.\n"
        ),
        dedupe_key=f"drift:{event.pk}",
        now=now,
    )


def _failed(
    workflow: Workflow, now: datetime, claimed: datetime | None, message: str
) -> CheckOutcome:
    since = workflow.drift_check_failing_since or now
    _schedule(
        workflow.pk,
        claimed,
        drift_check_due_at=now + RETRY_AFTER,
        drift_check_failing_since=since,
        drift_check_message=message[:255],
    )
    log.warning("drift check of workflow %s failed: %s", workflow.pk, message)
    if now - since >= ALERT_FAILING_AFTER and alerts_quiet_reason(workflow, now) is None:
        client = workflow.client
        operators_alert(
            subject=f"Drift checks failing: {workflow.name} ({client.name})",
            text=(
                f'The live Twilio configuration of {client.name}\'s workflow "{workflow.name}" '
                f"cannot be read since {human_datetime(since, client.zone)}:\n\n{message}\n\n"
                "Changes made outside Operant go unnoticed until this is fixed; the check "
                "keeps retrying.\n"
            ),
            dedupe_key=f"drift-check:{workflow.pk}:{since.isoformat()}",
            now=now,
        )
    return CheckOutcome("failed", message)


def drift_accept_live(
    *,
    workflow: Workflow,
    now: datetime,
    author: User | None = None,
    summary: str = "",
    ticket: Ticket | None = None,
    time_entry: TimeEntry | None = None,
) -> WorkflowVersion:
    """Record what is live now as the workflow's expected configuration: a new version with
    the flows' definitions as its logic and the live configuration; its open drifts resolved."""
    targets = drift_targets(workflow)
    if not targets:
        raise MonitoringError(f"{workflow.name} names no Studio flow or phone number to read")
    live = live_config_read(workflow=workflow, targets=targets)
    gone = [sid for sid, f in live.flows.items() if f is None]
    gone += [phone for phone, n in live.numbers.items() if n is None]
    if gone:
        raise MonitoringError(
            f"not in {workflow.client.name}'s Twilio account: {', '.join(gone)}; remove them "
            "from the workflow's identifiers first"
        )
    current = WorkflowVersion.objects.filter(workflow=workflow).order_by("-number").first()
    with transaction.atomic():
        _lock(workflow)
        version = workflow_version_record(
            workflow=workflow,
            logic=live.logic_text() or (current.logic if current else ""),
            copy=current.copy if current else "",
            now=now,
            author=author,
            summary=summary or "Accepted the live Twilio configuration",
            live_config=live.as_live_config(),
            ticket=ticket,
            time_entry=time_entry,
        )
        by = f" by {author.display_name}" if author is not None else ""
        for event in DriftEvent.objects.filter(workflow=workflow, resolved_at=None):
            _resolve(event, now, f"accepted as v{version.number}{by}")
        Workflow.objects.filter(pk=workflow.pk).update(
            drift_checked_at=now,
            drift_check_failing_since=None,
            drift_check_message="",
            drift_check_due_at=now + CHECK_INTERVAL,
        )
    return version
