"""What a feed's snapshot changes: component statuses, then incidents (``snapshot_apply``).

The rule, in order:
1. Components: store each one's status when it changed; one that vanished from the page is
   marked missing and named in the feed's warning (its incidents are left as they are: we
   cannot tell recovery from a renamed page).
2. The vendor's incidents that touch a mapped component (by id, or for Atom by label) and are
   not resolved are opened or revised, one per vendor incident id; their new updates are
   appended once. A tracked incident resolved on the page, or gone from a page that lists
   only unresolved incidents, is resolved.
3. Mapped components out of ``operational`` (maintenance is the maintenance app's) that no
   open vendor incident covers get one component-derived incident per feed, adopted by the
   vendor's incident once the page publishes one; it resolves when they are all operational.
4. An open incident monitoring suspects (corroboration.py) on the same integrations is taken
   over by the vendor's incident, or the component-derived one, instead of a second opening.
5. The page's scheduled maintenances on mapped components are handed to the maintenance app
   (maintenances.py), which keeps one window per maintenance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from operant.vendors.adapters.base import ComponentReading, IncidentReading, Snapshot
from operant.vendors.corroboration import suspected_adopt, suspected_adoptable
from operant.vendors.incidents import (
    incident_open,
    incident_resolve,
    incident_revise,
    incident_update_append,
    vendor_name,
)
from operant.vendors.maintenances import maintenances_publish
from operant.vendors.models import (
    ComponentMapping,
    ComponentState,
    ComponentStatus,
    IncidentSource,
    IncidentStatus,
    VendorFeed,
    VendorIncident,
)

_QUIET = {ComponentState.OPERATIONAL, ComponentState.MAINTENANCE}
# A component-derived incident's impact from its worst component.
_IMPACT = {
    ComponentState.DEGRADED: 1,
    ComponentState.PARTIAL: 2,
    ComponentState.MAJOR: 3,
}
_IMPACT_NAMES = ["none", "minor", "major", "critical"]


@dataclass
class Applied:
    changes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Mapper:
    """Which of our integrations a vendor's component or entry stands for."""

    rules: tuple[tuple[str, int], ...]  # (lower-cased label, integration id)

    @classmethod
    def of_vendor(cls, vendor_key: str) -> Mapper:
        rows = ComponentMapping.objects.filter(vendor_key=vendor_key)
        return cls(tuple((r.component.strip().lower(), r.integration_id) for r in rows))

    def component(self, reading: ComponentReading) -> set[int]:
        labels = reading.labels()
        return {iid for label, iid in self.rules if label == "*" or label in labels}

    def entry(self, labels: tuple[str, ...]) -> set[int]:
        text = [label.lower() for label in labels]
        return {
            iid
            for label, iid in self.rules
            if label == "*" or any(re.search(rf"\b{re.escape(label)}\b", t) for t in text)
        }


def snapshot_apply(*, feed: VendorFeed, snapshot: Snapshot, now: datetime) -> Applied:
    applied = Applied()
    mapper = Mapper.of_vendor(feed.vendor_key)
    readings = {c.id: c for c in snapshot.components or ()}
    if snapshot.components is not None:
        _store_components(feed, readings, now, applied)
    covered: set[str] = set()
    seen: set[str] = set()
    # An incident we track stays ours even when its components no longer map (one vanished
    # from the page): only the vendor's word resolves it.
    tracked = set(
        VendorIncident.objects.filter(feed=feed, resolved_at=None).values_list(
            "external_id", flat=True
        )
    )
    for reading in snapshot.incidents:
        if snapshot.components is None:
            integration_ids = mapper.entry(reading.labels)
        else:
            integration_ids = set().union(
                *(mapper.component(readings[c]) for c in reading.component_ids if c in readings)
            )
        if integration_ids or reading.id in tracked:
            seen.add(reading.id)
            if _vendor_incident(feed, reading, integration_ids, readings, now, applied):
                covered |= set(reading.component_ids)
    if snapshot.unresolved_only:
        _resolve_unlisted(feed, seen, now, applied)
    if snapshot.components is not None:
        _component_incident(feed, readings, mapper, covered, now, applied)
        maintenances_publish(
            feed=feed, snapshot=snapshot, readings=readings, mapper=mapper, now=now
        )
    return applied


def _store_components(
    feed: VendorFeed, readings: dict[str, ComponentReading], now: datetime, applied: Applied
) -> None:
    stored = {row.component_id: row for row in ComponentStatus.objects.filter(feed=feed)}
    for reading in readings.values():
        row = stored.get(reading.id)
        values = {
            "name": reading.name[:200],
            "group_name": reading.group_name[:200],
            "is_group": reading.is_group,
            "missing_since": None,
        }
        if row is None:
            ComponentStatus.objects.create(
                feed=feed, component_id=reading.id, status=reading.status, status_since=now,
                **values,
            )  # fmt: skip
            continue
        if row.status != reading.status:
            applied.changes.append(f"{reading.name}: {row.status} -> {reading.status}")
            values.update(status=reading.status, status_since=now)
        if any(getattr(row, name) != value for name, value in values.items()):
            ComponentStatus.objects.filter(pk=row.pk).update(**values)
    for component_id, row in stored.items():
        if component_id not in readings:
            applied.warnings.append(
                f"component {row.name!r} ({component_id}) is no longer on the page; "
                "check the component map"
            )
            if row.missing_since is None:
                ComponentStatus.objects.filter(pk=row.pk).update(missing_since=now)
                applied.changes.append(f"{row.name}: disappeared from the page")


def _vendor_incident(
    feed: VendorFeed,
    reading: IncidentReading,
    integration_ids: set[int],
    readings: dict[str, ComponentReading],
    now: datetime,
    applied: Applied,
) -> bool:
    """Open, revise or resolve our copy of one vendor incident; True while it is open."""
    incident = VendorIncident.objects.filter(
        vendor_key=feed.vendor_key, external_id=reading.id
    ).first()
    resolved = reading.status == IncidentStatus.RESOLVED
    if incident is None and resolved:
        return False  # over before we saw it: nothing to tell anyone
    components = [
        {"id": c, "name": readings[c].name, "status": readings[c].status}
        for c in reading.component_ids
        if c in readings
    ]
    fields = {
        "title": reading.title[:300], "impact": reading.impact, "url": reading.url[:500],
        "components": components or (incident.components if incident else []),
    }  # fmt: skip
    source = IncidentSource.ATOM if feed.kind == "atom" else IncidentSource.STATUSPAGE
    if incident is None:
        incident = _adoptable(feed, reading)
        if incident is not None:
            applied.changes.append(f"incident {incident.pk}: the vendor published {reading.id}")
            incident_revise(
                incident=incident, now=now, integration_ids=integration_ids, source=source,
                external_id=reading.id, status=reading.status, **fields,
            )  # fmt: skip
    if incident is None:
        incident = suspected_adoptable(vendor_key=feed.vendor_key, integration_ids=integration_ids)
        if incident is not None:
            applied.changes.append(f"incident {incident.pk}: the vendor confirmed the suspicion")
            suspected_adopt(
                incident=incident, now=now, integration_ids=integration_ids, feed=feed,
                source=source, external_id=reading.id, status=reading.status, **fields,
            )  # fmt: skip
    if incident is None:
        incident = incident_open(
            vendor_key=feed.vendor_key, feed=feed, source=source, external_id=reading.id,
            status=reading.status, started_at=min(reading.started_at, now),
            integration_ids=integration_ids, now=now, **fields,
        )  # fmt: skip
        applied.changes.append(f"incident {incident.pk} opened: {incident.title}")
    elif incident.resolved_at is None:
        incident_revise(
            incident=incident, now=now, integration_ids=integration_ids,
            status=IncidentStatus.MONITORING if resolved else reading.status, **fields,
        )  # fmt: skip
    for update in reading.updates:
        if update.status == IncidentStatus.RESOLVED:
            continue  # written by incident_resolve below, once
        if incident_update_append(
            incident=incident, status=update.status, body=update.body,
            posted_at=update.posted_at, now=now, external_id=update.id,
        ):  # fmt: skip
            applied.changes.append(f"incident {incident.pk} update: {update.status}")
    if resolved:
        last = reading.updates[-1] if reading.updates else None
        if incident_resolve(
            incident=incident, body=last.body if last else "Resolved by the vendor.", now=now,
            posted_at=last.posted_at if last else None,
        ):  # fmt: skip
            applied.changes.append(f"incident {incident.pk} resolved")
    return incident.resolved_at is None


def _adoptable(feed: VendorFeed, reading: IncidentReading) -> VendorIncident | None:
    """The open component-derived incident of this feed about the same components."""
    derived = VendorIncident.objects.filter(
        feed=feed, source=IncidentSource.COMPONENT, resolved_at=None
    ).first()
    if derived is None:
        return None
    ids = {c["id"] for c in derived.components}
    return derived if ids & set(reading.component_ids) else None


def _resolve_unlisted(feed: VendorFeed, seen: set[str], now: datetime, applied: Applied) -> None:
    gone = VendorIncident.objects.filter(
        feed=feed, resolved_at=None, source__in=[IncidentSource.STATUSPAGE, IncidentSource.ATOM]
    ).exclude(external_id__in=seen)
    for incident in gone:
        body = "The vendor's page no longer lists this incident as unresolved."
        if incident_resolve(incident=incident, body=body, now=now):
            applied.changes.append(f"incident {incident.pk} resolved (no longer listed)")


def _component_incident(
    feed: VendorFeed,
    readings: dict[str, ComponentReading],
    mapper: Mapper,
    covered: set[str],
    now: datetime,
    applied: Applied,
) -> None:
    # Groups are skipped: a group's status is its children's, and the children carry the map.
    down = {
        c.id: c
        for c in readings.values()
        if not c.is_group and c.status not in _QUIET and c.id not in covered and mapper.component(c)
    }
    derived = VendorIncident.objects.filter(
        feed=feed, source=IncidentSource.COMPONENT, resolved_at=None
    ).first()
    if derived is None and not down:
        return
    if derived is None:
        opening = {
            "source": IncidentSource.COMPONENT,
            "external_id": f"component:{feed.pk}:{now.isoformat()}",
            "title": f"{vendor_name(feed.vendor_key)}: {', '.join(c.name for c in down.values())}",
            "status": IncidentStatus.INVESTIGATING,
        }
        ids = set().union(*(mapper.component(c) for c in down.values()))
        derived = suspected_adoptable(vendor_key=feed.vendor_key, integration_ids=ids)
        if derived is not None:
            suspected_adopt(incident=derived, now=now, integration_ids=ids, feed=feed, **opening)
            applied.changes.append(f"incident {derived.pk}: component status confirms it")
        else:
            derived = incident_open(
                vendor_key=feed.vendor_key, feed=feed, impact="minor", started_at=now,
                integration_ids=ids, now=now, **opening,
            )  # fmt: skip
            applied.changes.append(f"incident {derived.pk} opened from component status")
    # Every component the incident has named stays in it (operational again, or missing with
    # its last known status), so its timeline says when each one recovered.
    current = {c["id"]: dict(c) for c in derived.components}
    for component_id in list(current):
        if component_id in readings:
            current[component_id]["status"] = readings[component_id].status
    for c in down.values():
        current[c.id] = {"id": c.id, "name": c.name, "status": c.status}
    before = {c["id"]: c["status"] for c in derived.components}
    if not down and all(c in readings for c in current):
        incident_resolve(incident=derived, body="All affected components are operational.", now=now)
        applied.changes.append(f"incident {derived.pk} resolved: components operational")
        return
    for c in current.values():
        if before.get(c["id"]) != c["status"]:
            incident_update_append(
                incident=derived, status=IncidentStatus.INVESTIGATING, now=now, posted_at=now,
                body=f"{c['name']}: {_label(c['status'])}",
            )  # fmt: skip
            applied.changes.append(f"incident {derived.pk} update: {c['name']} {c['status']}")
    worst = max((_IMPACT.get(c["status"], 0) for c in current.values()), default=1)
    incident_revise(
        incident=derived, now=now,
        integration_ids=set().union(*(mapper.component(c) for c in down.values())),
        components=list(current.values()), impact=_IMPACT_NAMES[max(worst, 1)],
    )  # fmt: skip


def _label(status: str) -> str:
    return ComponentState(status).label if status in ComponentState.values else status
