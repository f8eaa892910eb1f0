"""The one JSON shape of a time entry, printed by the CLI and answered by the API."""

from __future__ import annotations

from typing import Any

from operant.allowance.models import EntryKind, TimeEntry


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


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
        "created_at": _iso(entry.created_at),
        "updated_at": _iso(entry.updated_at),
        "deleted_at": _iso(entry.deleted_at),
        "revisions": [
            {
                "at": _iso(revision.at),
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
