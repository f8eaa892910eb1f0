"""Worker jobs of monitoring: workflows whose state may change by time alone, and the
consequences of flips."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction

from operant.monitoring.models import Flip, Workflow
from operant.monitoring.outages import flip_consequences
from operant.monitoring.transitions import workflow_reassess

log = logging.getLogger(__name__)
BATCH = 200


def workflows_process_due(*, now: datetime) -> int:
    """Reassess the workflows due now (indexed ``due_at``, never a scan); each transition is
    claimed by a conditional update, so any number of workers write each flip once. Rows
    another worker holds are skipped (PostgreSQL's SKIP LOCKED), not waited for."""
    with transaction.atomic():
        due = list(
            Workflow.objects.select_for_update(skip_locked=True)
            .filter(due_at__lte=now)
            .order_by("due_at")[:BATCH]
        )
        for workflow in due:
            workflow_reassess(workflow=workflow, now=now)
    return len(due)


def flips_process_due(*, now: datetime) -> int:
    """Act on unprocessed flips, oldest first. Claiming and acting share one transaction: a
    worker that dies midway leaves the flip unclaimed for the next one."""
    todo = list(
        Flip.objects.filter(processed_at=None)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )
    handled = 0
    for pk in todo:
        with transaction.atomic():
            # Skip a flip another worker is acting on rather than queue behind it; the
            # conditional update is what makes the claim exclusive.
            mine = (
                Flip.objects.select_for_update(skip_locked=True)
                .filter(pk=pk)
                .values_list("pk", flat=True)
                .first()
            )
            if mine is None:
                continue
            if Flip.objects.filter(pk=pk, processed_at=None).update(processed_at=now) != 1:
                continue
            flip = Flip.objects.select_related("workflow__client", "workflow__outage_ticket").get(
                pk=pk
            )
            outcome = flip_consequences(flip=flip, now=now)
            Flip.objects.filter(pk=pk).update(outcome=outcome[:255])
            handled += 1
    return handled
