"""A feed's scheduled maintenances, handed to the maintenance app as plain data (clause 04:
"vendor maintenances from the feeds become windows too").

Only maintenances touching a mapped component are handed over, with the integrations they
touch (the component map decides, as for incidents); one without times cannot be a window.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from operant.monitoring.vendor_maintenance import VendorMaintenance, vendor_maintenances_publish
from operant.vendors.incidents import vendor_name

if TYPE_CHECKING:
    from operant.vendors.adapters.base import ComponentReading, Snapshot
    from operant.vendors.apply import Mapper
    from operant.vendors.models import VendorFeed


def maintenance_source(feed: VendorFeed) -> str:
    """The key prefix of this feed's maintenances: a maintenance another feed of the vendor
    lists is never ended because this one does not."""
    return f"vendor:{feed.vendor_key}:{feed.pk}:"


def maintenances_publish(
    *,
    feed: VendorFeed,
    snapshot: Snapshot,
    readings: dict[str, ComponentReading],
    mapper: Mapper,
    now: datetime,
) -> int:
    """Publish the feed's current maintenances; returns how many were handed over."""
    source = maintenance_source(feed)
    name = vendor_name(feed.vendor_key)
    handed = []
    for reading in snapshot.maintenances:
        integration_ids = set().union(
            *(mapper.component(readings[c]) for c in reading.component_ids if c in readings)
        )
        if not integration_ids or reading.starts_at is None or reading.ends_at is None:
            continue
        handed.append(
            VendorMaintenance(
                key=f"{source}{reading.id}",
                vendor_name=name,
                title=reading.title,
                status=reading.status,
                starts_at=reading.starts_at,
                ends_at=reading.ends_at,
                integration_ids=tuple(sorted(integration_ids)),
                url=reading.url,
            )
        )
    vendor_maintenances_publish(source=source, maintenances=handed, now=now)
    return len(handed)
