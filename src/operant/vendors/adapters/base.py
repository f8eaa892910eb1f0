"""The plain shapes every adapter parses a feed into, and the error it raises."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


class FeedError(Exception):
    """A poll that produced nothing usable; the message is shown to agents on the feed."""


@dataclass(frozen=True)
class ComponentReading:
    id: str
    name: str
    status: str
    group_name: str = ""
    is_group: bool = False

    def labels(self) -> set[str]:
        """What a ``ComponentMapping.component`` may say to mean this component (lower case)."""
        labels = {self.id.lower(), self.name.lower()}
        if self.group_name:
            labels |= {self.group_name.lower(), f"{self.group_name} - {self.name}".lower()}
        return labels


@dataclass(frozen=True)
class UpdateReading:
    id: str
    status: str
    body: str
    posted_at: datetime


@dataclass(frozen=True)
class IncidentReading:
    id: str
    title: str
    status: str  # investigating | identified | monitoring | resolved
    impact: str  # none | minor | major | critical
    started_at: datetime
    url: str = ""
    component_ids: tuple[str, ...] = ()
    # Atom entries name no component ids: their categories and title are matched instead.
    labels: tuple[str, ...] = ()
    updates: tuple[UpdateReading, ...] = ()


@dataclass(frozen=True)
class MaintenanceReading:
    """A vendor's scheduled maintenance, for the maintenance app to turn into a window."""

    id: str
    title: str
    status: str  # scheduled | in_progress | verifying | completed
    starts_at: datetime | None
    ends_at: datetime | None
    component_ids: tuple[str, ...] = ()
    body: str = ""
    url: str = ""


@dataclass(frozen=True)
class Snapshot:
    """What one feed said at one poll. ``components`` is None when the kind has none (Atom)."""

    components: tuple[ComponentReading, ...] | None
    incidents: tuple[IncidentReading, ...]
    maintenances: tuple[MaintenanceReading, ...] = field(default=())
    # True when the feed lists only unresolved incidents (Statuspage's summary): a tracked
    # incident missing from it has been resolved.
    unresolved_only: bool = False
