"""Worker jobs of maintenance: extend recurring windows, send notices and reminders when due,
look at the workflows again when an occurrence ends.

Each claims its row with a conditional update of the due column inside the transaction that
does the work (rows another worker holds are skipped: PostgreSQL's SKIP LOCKED), as
monitoring's jobs do: any number of workers act on each due time once, and a worker that dies
midway leaves the row due for the next.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction

from operant.core.errors import UserError
from operant.maintenance.models import NoticeKind, Occurrence, Window
from operant.maintenance.notices import occurrence_notices_send
from operant.maintenance.scope import window_workflows
from operant.maintenance.services import window_expand
from operant.monitoring.outages import workflow_quiet_over

log = logging.getLogger(__name__)
BATCH = 100
DUE_COLUMNS = ((NoticeKind.NOTICE, "notice_due_at"), (NoticeKind.REMINDER, "reminder_due_at"))


def _claim(model: type[Window] | type[Occurrence], pk: int, column: str, now: datetime) -> bool:
    """Inside a transaction: take the row's due time; True when this worker owns it now."""
    mine = (
        model.objects.select_for_update(skip_locked=True)
        .filter(pk=pk, **{f"{column}__lte": now})
        .values_list("pk", flat=True)
        .first()
    )
    if mine is None:
        return False
    return model.objects.filter(pk=pk, **{f"{column}__lte": now}).update(**{column: None}) == 1


def _due(model: type[Window] | type[Occurrence], column: str, now: datetime) -> list[int]:
    rows = model.objects.filter(**{f"{column}__lte": now}).order_by(column, "pk")
    return list(rows.values_list("pk", flat=True)[:BATCH])


def windows_expand_due(*, now: datetime) -> int:
    handled = 0
    for pk in _due(Window, "expand_due_at", now):
        try:
            with transaction.atomic():
                if not _claim(Window, pk, "expand_due_at", now):
                    continue
                window_expand(window=Window.objects.get(pk=pk), now=now)
                handled += 1
        except UserError as exc:
            # A rule that no longer parses (stored before a check was added): leave the window
            # unexpanded and say so, rather than fail the job every pass.
            log.warning("maintenance window %s not expanded: %s", pk, exc)
    return handled


def occurrences_notices_due(*, now: datetime) -> int:
    handled = 0
    for kind, column in (
        (NoticeKind.NOTICE, "notice_due_at"),
        (NoticeKind.REMINDER, "reminder_due_at"),
    ):
        for pk in _due(Occurrence, column, now):
            with transaction.atomic():
                if not _claim(Occurrence, pk, column, now):
                    continue
                occurrence = Occurrence.objects.select_related("window").get(pk=pk)
                occurrence_notices_send(occurrence=occurrence, kind=kind, now=now)
                handled += 1
    return handled


def occurrences_after_due(*, now: datetime) -> int:
    """Once an occurrence ends, each workflow it covered is looked at again by monitoring
    (``workflow_quiet_over``): one still down whose going down was kept quiet gets the
    consequences it was spared (ticket, alert)."""
    handled = 0
    for pk in _due(Occurrence, "after_due_at", now):
        with transaction.atomic():
            if not _claim(Occurrence, pk, "after_due_at", now):
                continue
            occurrence = Occurrence.objects.select_related("window").get(pk=pk)
            for workflow in window_workflows(occurrence.window):
                workflow_quiet_over(workflow=workflow, now=now)
            handled += 1
    return handled
