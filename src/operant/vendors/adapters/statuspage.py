"""Atlassian Statuspage's public ``/api/v2/summary.json`` (Twilio's page is one).

The summary lists every component with its status (groups are components too, their children
point at them by ``group_id``), the unresolved incidents with their updates, and the upcoming
or running scheduled maintenances.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from operant.vendors.adapters.base import (
    ComponentReading,
    FeedError,
    IncidentReading,
    MaintenanceReading,
    Snapshot,
    UpdateReading,
)

# Statuspage's "postmortem" is a resolved incident with a write-up.
_INCIDENT_STATUS = {"postmortem": "resolved"}
_KNOWN_STATUS = {"investigating", "identified", "monitoring", "resolved"}
_KNOWN_IMPACT = {"none", "minor", "major", "critical"}


def parse(body: bytes, content_type: str) -> Snapshot:
    data = _json_of(body, content_type)
    if not isinstance(data, dict) or not isinstance(data.get("components"), list):
        raise FeedError("not a Statuspage summary: no 'components' list at the top level")
    components = _components(data["components"])
    incidents = tuple(_incident(item) for item in _list(data, "incidents"))
    maintenances = tuple(_maintenance(item) for item in _list(data, "scheduled_maintenances"))
    return Snapshot(
        components=components,
        incidents=incidents,
        maintenances=maintenances,
        unresolved_only=True,
    )


def _json_of(body: bytes, content_type: str) -> Any:
    head = body.lstrip()[:1]
    if "html" in content_type.lower() or head == b"<":
        shown = content_type or "none"
        raise FeedError(
            f"the feed answered HTML instead of JSON (Content-Type: {shown}); "
            "is the URL the page's /api/v2/summary.json?"
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FeedError(f"the body is not UTF-8 text (byte {exc.start})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()):
            raise FeedError(
                f"truncated JSON: the body ends after {len(body)} bytes in the middle of a value"
            ) from None
        raise FeedError(
            f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None


def _list(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise FeedError(f"not a Statuspage summary: '{key}' is not a list of objects")
    return value


def _text(item: dict[str, Any], key: str, where: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value:
        raise FeedError(f"{where} has no '{key}'")
    return value


def _when(value: Any, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise FeedError(f"{where}: unreadable time {value!r}") from None
    if moment.tzinfo is None:
        raise FeedError(f"{where}: time {value!r} has no UTC offset")
    return moment


def _components(items: list[Any]) -> tuple[ComponentReading, ...]:
    if not all(isinstance(item, dict) for item in items):
        raise FeedError("not a Statuspage summary: 'components' is not a list of objects")
    groups = {item.get("id"): item.get("name", "") for item in items if item.get("group")}
    readings = []
    for item in items:
        component_id = _text(item, "id", "a component")
        where = f"component {component_id}"
        readings.append(
            ComponentReading(
                id=component_id,
                name=_text(item, "name", where),
                status=_text(item, "status", where),
                group_name=str(groups.get(item.get("group_id"), "")),
                is_group=bool(item.get("group")),
            )
        )
    return tuple(readings)


def _component_ids(item: dict[str, Any]) -> tuple[str, ...]:
    """The components an incident names: its own list and those its updates changed."""
    ids = [c.get("id") for c in item.get("components") or [] if isinstance(c, dict)]
    for update in item.get("incident_updates") or []:
        for affected in update.get("affected_components") or []:
            if isinstance(affected, dict):
                ids.append(affected.get("code"))
    return tuple(dict.fromkeys(str(i) for i in ids if i))


def _incident(item: dict[str, Any]) -> IncidentReading:
    incident_id = _text(item, "id", "an incident")
    where = f"incident {incident_id}"
    status = _INCIDENT_STATUS.get(str(item.get("status")), str(item.get("status")))
    impact = str(item.get("impact") or "minor")
    updates = tuple(
        UpdateReading(
            id=_text(update, "id", f"an update of {where}"),
            status=_INCIDENT_STATUS.get(str(update.get("status")), str(update.get("status"))),
            body=str(update.get("body") or ""),
            posted_at=_when(update.get("display_at") or update.get("created_at"), where),
        )
        for update in item.get("incident_updates") or []
    )
    return IncidentReading(
        id=incident_id,
        title=_text(item, "name", where),
        status=status if status in _KNOWN_STATUS else "investigating",
        impact=impact if impact in _KNOWN_IMPACT else "minor",
        started_at=_when(item.get("started_at") or item.get("created_at"), where),
        url=str(item.get("shortlink") or ""),
        component_ids=_component_ids(item),
        updates=tuple(sorted(updates, key=lambda u: u.posted_at)),
    )


def _maintenance(item: dict[str, Any]) -> MaintenanceReading:
    maintenance_id = _text(item, "id", "a scheduled maintenance")
    where = f"scheduled maintenance {maintenance_id}"
    starts, ends = item.get("scheduled_for"), item.get("scheduled_until")
    updates = item.get("incident_updates") or []
    return MaintenanceReading(
        id=maintenance_id,
        title=_text(item, "name", where),
        status=str(item.get("status") or "scheduled"),
        starts_at=_when(starts, where) if starts else None,
        ends_at=_when(ends, where) if ends else None,
        component_ids=_component_ids(item),
        body=str(updates[0].get("body") or "") if updates else "",
        url=str(item.get("shortlink") or ""),
    )
