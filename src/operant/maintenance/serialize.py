"""The JSON shape of a window (the CLI's ``--json``): a stable contract."""

from __future__ import annotations

from typing import Any

from operant.core.timefmt import iso_or_none
from operant.maintenance.models import Window

OCCURRENCES_SHOWN = 10


def window_json(window: Window) -> dict[str, Any]:
    occurrences = window.occurrences.order_by("starts_at")[:OCCURRENCES_SHOWN]
    return {
        "id": window.pk,
        "title": window.title,
        "scope": window.scope,
        "integrations": sorted(window.integrations.values_list("key", flat=True)),
        "clients": sorted(window.clients.values_list("slug", flat=True)),
        "workflows": sorted(window.workflows.values_list("pk", flat=True)),
        "start": iso_or_none(window.first_start),
        "end": iso_or_none(window.first_start + window.duration),
        "duration_seconds": window.duration_seconds,
        "rrule": window.rrule or None,
        "timezone": window.timezone,
        "short_notice": window.short_notice,
        "short_notice_reason": window.short_notice_reason or None,
        "occurrences": [
            {
                "start": iso_or_none(o.starts_at),
                "end": iso_or_none(o.ends_at),
                "notice_at": iso_or_none(o.notice_due_at),
                "reminder_at": iso_or_none(o.reminder_due_at),
            }
            for o in occurrences
        ],
    }
