"""The one JSON shape of a time entry, printed by the CLI and answered by the API."""

from __future__ import annotations

from typing import Any

from operant.allowance.models import EntryKind, TimeEntry
from operant.core.timefmt import iso_or_none


def entry_json(entry: TimeEntry) -> dict[str, Any]:
    """An entry with its history (prefetch ``revisions__actor`` when serializing many)."""
    return {
        "id": entry.pk,
        "ticket": entry.ticket.ref,
        "client": entry.client.slug,
        "kind": entry.kind,
        "minutes": entry.minutes,
        "work_date": entry.work_date.isoformat(),
        "month": f"{entry.month:%Y-%m}",
        "note": entry.note,
        "quote": entry.quote.ref if entry.quote_id else None,
        "agent": entry.agent.email,
        "created_at": iso_or_none(entry.created_at),
        "updated_at": iso_or_none(entry.updated_at),
        "deleted_at": iso_or_none(entry.deleted_at),
        "revisions": [
            {
                "at": iso_or_none(revision.at),
                "action": revision.action,
                "actor": revision.actor.email if revision.actor else None,
                "before": revision.before,
                "after": revision.after,
            }
            for revision in entry.revisions.all()
        ],
    }


def totals_json(entries: list[TimeEntry]) -> dict[str, int]:
    """Minutes of the live entries by kind, every kind present."""
    totals = dict.fromkeys(EntryKind.values, 0)
    for entry in entries:
        if entry.deleted_at is None:
            totals[entry.kind] += entry.minutes
    return totals
