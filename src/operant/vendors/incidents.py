"""Vendor incidents and their timelines: the one place an incident is opened, revised,
added to and resolved, whether a feed or an agent says so.

Notices (notices.py), clock pauses (tickets.py) and the status page hang off these rows: each
change here sets the incident's ``notices_due_at`` (and, when it ends, ``tickets_due_at``), the
due times the worker reacts to.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction

from operant.accounts.models import Integration
from operant.policy.loader import current_policy
from operant.policy.schema import PolicyError
from operant.vendors.errors import VendorsError
from operant.vendors.models import (
    Impact,
    IncidentSource,
    IncidentStatus,
    IncidentUpdate,
    VendorFeed,
    VendorIncident,
)

if TYPE_CHECKING:
    from operant.accounts.models import User


def vendor_name(key: str) -> str:
    try:
        return current_policy().vendor(key).name
    except PolicyError:
        return key


def vendor_check(key: str) -> str:
    """The key of a vendor the policy's ``[[vendors]]`` lists; refused otherwise."""
    try:
        return current_policy().vendor(key).key
    except PolicyError as exc:
        raise VendorsError(str(exc)) from None


def vendor_integrations(vendor_key: str, keys: Iterable[str]) -> list[Integration]:
    """The named integrations, each of this vendor; refused with the known ones otherwise."""
    keys = list(dict.fromkeys(keys))
    found = {i.key: i for i in Integration.objects.filter(key__in=keys)}
    chosen = []
    for key in keys:
        integration = found.get(key)
        if integration is None or integration.vendor_key != vendor_key:
            known = ", ".join(
                Integration.objects.filter(vendor_key=vendor_key).values_list("key", flat=True)
            )
            raise VendorsError(
                f"{key!r} is not an integration of {vendor_key}; known: {known or 'none'}"
            )
        chosen.append(integration)
    return chosen


def incident_open(
    *,
    vendor_key: str,
    feed: VendorFeed | None,
    source: str,
    external_id: str,
    title: str,
    status: str,
    impact: str,
    started_at: datetime,
    integration_ids: Iterable[int],
    now: datetime,
    url: str = "",
    components: list[dict[str, Any]] | None = None,
    created_by: User | None = None,
) -> VendorIncident:
    incident = VendorIncident.objects.create(
        vendor_key=vendor_key,
        feed=feed,
        source=source,
        external_id=external_id,
        title=title[:300],
        status=status,
        impact=impact,
        url=url[:500],
        components=components or [],
        started_at=started_at,
        updated_at=now,
        created_by=created_by,
        # The notices job decides from here whether (and when) it is material.
        notices_due_at=now,
    )
    incident.integrations.set(list(integration_ids))
    return incident


def incident_revise(
    *, incident: VendorIncident, now: datetime, integration_ids: Iterable[int] = (), **fields: Any
) -> bool:
    """Set the given fields and add integrations (never removed while open: clients already
    told stay in the incident); True when anything changed."""
    changed = [name for name, value in fields.items() if getattr(incident, name) != value]
    for name in changed:
        setattr(incident, name, fields[name])
    known = set(incident.integrations.values_list("pk", flat=True))
    added = set(integration_ids) - known
    if added:
        incident.integrations.add(*added)
    if changed or added:
        incident.updated_at = now
        incident.notices_due_at = now  # a new status or severity may be a new notice
        incident.save(update_fields=[*changed, "updated_at", "notices_due_at"])
    return bool(changed or added)


def incident_update_append(
    *,
    incident: VendorIncident,
    status: str,
    body: str,
    posted_at: datetime,
    now: datetime,
    external_id: str = "",
    author: User | None = None,
) -> IncidentUpdate | None:
    """Add one entry to the timeline; None when the vendor's update is already there (a
    replayed or re-polled feed), so each update is recorded once."""
    if external_id and incident.updates.filter(external_id=external_id).exists():
        return None
    try:
        with transaction.atomic():
            return IncidentUpdate.objects.create(
                incident=incident,
                external_id=external_id[:200],
                status=status,
                body=body,
                posted_at=posted_at,
                recorded_at=now,
                author=author,
            )
    except IntegrityError:  # another writer recorded the same vendor update first
        return None


def incident_resolve(
    *,
    incident: VendorIncident,
    body: str,
    now: datetime,
    posted_at: datetime | None = None,
    author: User | None = None,
) -> bool:
    """Resolve an open incident with a closing entry; False when it was already resolved.
    A vendor timestamp earlier than the start (a clock that jumped) never makes the incident
    end before it began."""
    if incident.resolved_at is not None:
        return False
    ended = max(posted_at or now, incident.started_at)
    incident_update_append(
        incident=incident, status=IncidentStatus.RESOLVED, body=body, posted_at=ended, now=now,
        author=author,
    )  # fmt: skip
    incident.status = IncidentStatus.RESOLVED
    incident.resolved_at = ended
    incident.updated_at = now
    # The resolution notice, and the paused clocks to resume.
    incident.notices_due_at = now
    incident.tickets_due_at = now
    incident.save(
        update_fields=["status", "resolved_at", "updated_at", "notices_due_at", "tickets_due_at"]
    )
    return True


# ---- manual incidents: what an agent enters ---------------------------------------------------


def incident_report(
    *,
    vendor_key: str,
    title: str,
    integration_keys: Iterable[str],
    body: str,
    now: datetime,
    impact: str = Impact.MINOR,
    author: User | None = None,
) -> VendorIncident:
    """An incident an agent knows of before (or without) the vendor's page saying so."""
    vendor_key = vendor_check(vendor_key)
    title = title.strip()
    if not title:
        raise VendorsError("an incident needs a title (--title)")
    if impact not in Impact.values:
        raise VendorsError(f"unknown impact {impact!r}; expected one of {', '.join(Impact.values)}")
    integrations = vendor_integrations(vendor_key, integration_keys)
    if not integrations:
        raise VendorsError("an incident affects at least one integration (--integration KEY)")
    with transaction.atomic():
        incident = incident_open(
            vendor_key=vendor_key, feed=None, source=IncidentSource.MANUAL, external_id="",
            title=title, status=IncidentStatus.INVESTIGATING, impact=impact, started_at=now,
            integration_ids=[i.pk for i in integrations], now=now, created_by=author,
        )  # fmt: skip
        incident_update_append(
            incident=incident, status=incident.status, body=body, posted_at=now, now=now,
            author=author,
        )  # fmt: skip
    return incident


def incident_post(
    *,
    incident: VendorIncident,
    body: str,
    status: str,
    now: datetime,
    author: User | None = None,
) -> VendorIncident:
    """An agent's update of an incident; status ``resolved`` resolves it."""
    if status not in IncidentStatus.values:
        raise VendorsError(
            f"unknown status {status!r}; expected one of {', '.join(IncidentStatus.values)}"
        )
    if incident.resolved_at is not None:
        raise VendorsError(f"incident {incident.pk} is already resolved")
    with transaction.atomic():
        if status == IncidentStatus.RESOLVED:
            incident_resolve(incident=incident, body=body, now=now, author=author)
        else:
            incident_update_append(
                incident=incident, status=status, body=body, posted_at=now, now=now, author=author
            )
            incident_revise(incident=incident, now=now, status=status)
    return incident
