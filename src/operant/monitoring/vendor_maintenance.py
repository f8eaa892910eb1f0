"""A vendor's scheduled maintenance, passed from the vendors app to the maintenance app.

The two are sibling layers and never import each other, so the hand-over lives below both:
vendors publishes what a feed says with ``vendor_maintenances_publish``; maintenance registers
the sink that turns it into windows from its ``AppConfig.ready`` (as the quiet checks are).
Only plain data crosses: no model of either app.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class VendorMaintenance:
    # Unique and stable per vendor maintenance: "<source><vendor's id>".
    key: str
    vendor_name: str
    title: str
    status: str  # Statuspage's: scheduled | in_progress | verifying | completed
    starts_at: datetime
    ends_at: datetime
    integration_ids: tuple[int, ...]
    url: str = ""


# sink(source=..., maintenances=..., now=...): ``maintenances`` is everything the source lists
# now, so one it listed before and no longer does was cancelled or completed.
VendorMaintenanceSink = Callable[..., None]
_sinks: list[VendorMaintenanceSink] = []


def register_vendor_maintenance_sink(sink: VendorMaintenanceSink) -> None:
    if sink not in _sinks:
        _sinks.append(sink)


def vendor_maintenances_publish(
    *, source: str, maintenances: Sequence[VendorMaintenance], now: datetime
) -> None:
    """Hand what ``source`` (a key prefix: one feed) lists now to every registered sink."""
    for sink in _sinks:
        sink(source=source, maintenances=list(maintenances), now=now)
