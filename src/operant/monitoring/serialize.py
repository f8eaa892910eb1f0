"""One JSON shape for a workflow, shared by the CLI and the API (a stable contract for scripts).

``workflow_json`` is what Operant staff see; ``workflow_client_json`` is the part a client sees
of its own workflow: no owner notes (staff write them) and nobody's address. The ping URL is in
both: it is the client's to call, and only ever shown to that client.
"""

from __future__ import annotations

from typing import Any

from operant.core.timefmt import iso_or_none
from operant.monitoring.models import IdentifierKind, Workflow
from operant.monitoring.queries import open_outage_ticket, workflow_rows


class WorkflowNotFound(LookupError):
    pass


def workflow_by_id(pk: int | str) -> Workflow:
    """The workflow with this id, loaded with everything ``workflow_json`` reads."""
    text = str(pk).strip()
    if not text.isdigit():
        raise WorkflowNotFound(f"{pk!r} is not a workflow id (a number, as `workflows list` shows)")
    workflow = workflow_rows().filter(pk=int(text)).first()
    if workflow is None:
        raise WorkflowNotFound(f"no workflow {text}")
    return workflow


def _identifiers(workflow: Workflow) -> dict[str, list[str]]:
    # From .all(), so a prefetched list is reused.
    rows = sorted(workflow.identifiers.all(), key=lambda row: row.pk)
    return {
        "phones": [row.value for row in rows if row.kind == IdentifierKind.PHONE],
        "sids": [row.value for row in rows if row.kind == IdentifierKind.SID],
        "accounts": [row.value for row in rows if row.kind == IdentifierKind.ACCOUNT],
    }


def _current_version(workflow: Workflow) -> int | None:
    # ``workflow_rows`` annotates it; a workflow from elsewhere asks the database.
    if hasattr(workflow, "current_version"):
        return workflow.current_version  # type: ignore[no-any-return]
    return workflow.versions.order_by("-number").values_list("number", flat=True).first()


def workflow_json(workflow: Workflow) -> dict[str, Any]:
    ticket = open_outage_ticket(workflow)
    return {
        "id": workflow.pk,
        "client": workflow.client.slug,
        "name": workflow.name,
        "platform": workflow.platform,
        "integrations": sorted(i.key for i in workflow.integrations.all()),
        "identifiers": _identifiers(workflow),
        "owner_notes": workflow.owner_notes,
        "schedule": {
            "kind": workflow.schedule_kind,
            "period_seconds": workflow.period_seconds,
            "grace_seconds": workflow.grace_seconds,
            "cron": workflow.cron or None,
            "tz": workflow.cron_tz,
        },
        "silence_hours": workflow.silence_hours,
        "failure_rule": {
            "percent": workflow.failure_rate_percent,
            "window_seconds": workflow.failure_window_seconds,
            "min_messages": workflow.failure_min_messages,
        },
        "state": workflow.state,
        "state_reason": workflow.state_reason,
        "last_signal_at": iso_or_none(workflow.last_signal_at),
        "last_ping_at": iso_or_none(workflow.last_ping_at),
        "due_at": iso_or_none(workflow.due_at),
        "paused_at": iso_or_none(workflow.paused_at),
        "paused_reason": workflow.paused_reason or None,
        "outage_ticket": ticket.ref if ticket is not None else None,
        "ping_url": workflow.ping_path,
        "current_version": _current_version(workflow),
        "created_at": iso_or_none(workflow.created_at),
        "updated_at": iso_or_none(workflow.updated_at),
    }


CLIENT_FIELDS = (
    "id",
    "name",
    "platform",
    "integrations",
    "identifiers",
    "schedule",
    "state",
    "state_reason",
    "last_signal_at",
    "paused_at",
    "outage_ticket",
    "ping_url",
    "current_version",
)


def workflow_client_json(workflow: Workflow) -> dict[str, Any]:
    data = workflow_json(workflow)
    return {name: data[name] for name in CLIENT_FIELDS}
