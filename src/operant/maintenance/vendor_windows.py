"""Vendor maintenances become windows (clause 04; the sink monitoring's hand-over calls).

Each vendor maintenance is one window keyed by ``external_key``, scoped to the integrations it
touches, so a replayed feed never duplicates it and its notices go through the same occurrences
and notice jobs as an agent's window. The rules that differ from ``window_create``:
- a vendor's window is never refused for short notice (we do not choose its time): it is
  recorded as short notice with the reason "scheduled by <vendor>", which the client reads;
- a changed time moves the window: occurrences not started are replaced (their clients are
  told the new time), a running one takes the new end;
- completed, or no longer listed by its source (cancelled, or over): the running occurrence
  ends now and those not started are dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from django.db import transaction

from operant.maintenance.models import Occurrence, Scope, Window
from operant.maintenance.services import window_expand
from operant.monitoring.vendor_maintenance import VendorMaintenance
from operant.policy.loader import current_policy

_OVER = {"completed"}


def vendor_windows_sync(
    *, source: str, maintenances: Sequence[VendorMaintenance], now: datetime
) -> list[Window]:
    """Create or update a window per current maintenance; end those the source dropped."""
    windows = []
    with transaction.atomic():
        for maintenance in maintenances:
            if maintenance.status in _OVER:
                _end(Window.objects.filter(external_key=maintenance.key).first(), now)
                continue
            window = _upsert(maintenance, now)
            if window is not None:
                windows.append(window)
        listed = {m.key for m in maintenances}
        dropped = (
            Window.objects.filter(external_key__startswith=source, occurrences__ends_at__gt=now)
            .exclude(external_key__in=listed)
            .distinct()
        )
        for window in dropped:
            _end(window, now)
    return windows


def _short_notice(start: datetime, now: datetime) -> bool:
    return start - now < timedelta(hours=current_policy().maintenance.notice_lead_hours)


def _upsert(maintenance: VendorMaintenance, now: datetime) -> Window | None:
    start, end = maintenance.starts_at.astimezone(UTC), maintenance.ends_at.astimezone(UTC)
    if end <= start or end <= now:
        return None  # nothing left to tell anyone about (or a vendor's typo)
    title = f"{maintenance.vendor_name}: {maintenance.title}"[:200]
    duration = int((end - start).total_seconds())
    window = Window.objects.select_for_update().filter(external_key=maintenance.key).first()
    if window is None:
        short = _short_notice(start, now)
        window = Window.objects.create(
            external_key=maintenance.key,
            title=title,
            scope=Scope.INTEGRATIONS,
            first_start=start,
            duration_seconds=duration,
            timezone="UTC",
            short_notice=short,
            short_notice_reason=f"scheduled by {maintenance.vendor_name}" if short else "",
            created_at=now,
        )
        window.integrations.set(maintenance.integration_ids)
        window_expand(window=window, now=now)
        return window
    if set(window.integrations.values_list("pk", flat=True)) != set(maintenance.integration_ids):
        window.integrations.set(maintenance.integration_ids)
    moved = (window.first_start, window.duration_seconds) != (start, duration)
    if window.title != title or moved:
        window.title = title
        window.first_start, window.duration_seconds = start, duration
        if moved and not window.short_notice and _short_notice(start, now):
            window.short_notice = True
            window.short_notice_reason = f"scheduled by {maintenance.vendor_name}"
        window.save(
            update_fields=[
                "title", "first_start", "duration_seconds", "short_notice", "short_notice_reason",
            ]
        )  # fmt: skip
    if moved:
        _move(window, start, end, now)
    return window


def _move(window: Window, start: datetime, end: datetime, now: datetime) -> None:
    running = Occurrence.objects.filter(window=window, starts_at__lte=now, ends_at__gt=now)
    if start <= now:
        running.update(ends_at=end, after_due_at=end)
    else:
        # The vendor moved it to later: what was running is over now.
        running.update(ends_at=now, after_due_at=now)
    Occurrence.objects.filter(window=window, starts_at__gt=now).delete()
    Window.objects.filter(pk=window.pk).update(expanded_until=None)
    window.expanded_until = None
    window_expand(window=window, now=now)


def _end(window: Window | None, now: datetime) -> None:
    if window is None:
        return
    Occurrence.objects.filter(window=window, starts_at__gt=now).delete()
    Occurrence.objects.filter(window=window, starts_at__lte=now, ends_at__gt=now).update(
        ends_at=now, after_due_at=now
    )
    Window.objects.filter(pk=window.pk).update(expand_due_at=None)
