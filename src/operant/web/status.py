"""What the public status page and its Atom feed show (clause 05), gathered in one place so
the page and the feed can never disagree.

Public means aggregate: our own platform is counts of workflows by state over every client,
vendors are their mapped components and incidents, maintenance is only the windows scoped to
everything or to whole integrations (maintenance.queries). No client or workflow is named.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from operant.maintenance.models import Occurrence
from operant.maintenance.queries import public_upcoming
from operant.monitoring.models import WorkflowState
from operant.monitoring.queries import workflow_state_counts
from operant.policy.loader import current_policy
from operant.vendors.models import ComponentState, ComponentStatus, VendorIncident
from operant.vendors.queries import (
    incident_rows,
    incidents_with_latest_update,
    vendor_mapped_components,
)

# The feed keeps a month of incidents: long enough for a reader that polls rarely.
FEED_HISTORY = timedelta(days=30)

# A vendor's headline is its worst mapped component (maintenance is planned, so milder).
_SEVERITY = [
    ComponentState.OPERATIONAL,
    ComponentState.MAINTENANCE,
    ComponentState.DEGRADED,
    ComponentState.PARTIAL,
    ComponentState.MAJOR,
]


@dataclass(frozen=True)
class PlatformStatus:
    counts: dict[str, int]  # state -> workflows, every state

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def troubled(self) -> int:
        return self.counts[WorkflowState.DOWN] + self.counts[WorkflowState.LATE]

    @property
    def rows(self) -> list[tuple[str, str, int]]:
        labels = dict(WorkflowState.choices)
        return [(state, labels[state], n) for state, n in self.counts.items()]


@dataclass
class VendorStatus:
    key: str
    name: str
    status_url: str | None
    components: list[ComponentStatus]
    incidents: list[VendorIncident] = field(default_factory=list)

    @property
    def worst(self) -> str:
        """The worst state of the components still on the vendor's page; "" when none is
        known (no feed yet)."""
        present = [c.status for c in self.components if c.missing_since is None]
        known = [s for s in present if s in _SEVERITY]
        return max(known, key=_SEVERITY.index) if known else ""

    @property
    def worst_label(self) -> str:
        if not self.worst:
            return "No status known yet"
        return str(ComponentState(self.worst).label)


@dataclass(frozen=True)
class PublicStatus:
    platform: PlatformStatus
    vendors: list[VendorStatus]
    maintenance: list[Occurrence]
    now: datetime

    @property
    def open_incidents(self) -> list[VendorIncident]:
        return [i for vendor in self.vendors for i in vendor.incidents]


def public_status(*, now: datetime) -> PublicStatus:
    """The page's content; each policy vendor with its open incidents and latest updates."""
    open_incidents = incidents_with_latest_update(
        incident_rows(open_only=True, confirmed_only=True)
    )
    vendors = []
    for vendor in current_policy().vendors:
        vendors.append(
            VendorStatus(
                key=vendor.key,
                name=vendor.name,
                status_url=vendor.status_url,
                components=vendor_mapped_components(vendor_key=vendor.key),
                incidents=[i for i in open_incidents if i.vendor_key == vendor.key],
            )
        )
    return PublicStatus(
        platform=PlatformStatus(workflow_state_counts()),
        vendors=vendors,
        maintenance=public_upcoming(now=now),
        now=now,
    )


def feed_incidents(*, now: datetime) -> list[VendorIncident]:
    """Incidents for the Atom feed: open ones and those started in the last month."""
    recent = incident_rows(confirmed_only=True).filter(started_at__gte=now - FEED_HISTORY)
    opened = incident_rows(open_only=True, confirmed_only=True)
    return incidents_with_latest_update(recent | opened)


def vendor_names() -> dict[str, str]:
    return {vendor.key: vendor.name for vendor in current_policy().vendors}
