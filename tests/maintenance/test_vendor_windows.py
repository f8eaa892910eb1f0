"""Vendor maintenances from the feeds become windows (clause 04), driven through the local
status server with the real capture of CloudAMQP's page during a maintenance, re-dated."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from operant.accounts.models import Client, Integration, ServicePackage
from operant.maintenance.jobs import occurrences_notices_due
from operant.maintenance.models import Occurrence, Scope, Window
from operant.notify.models import Notification
from operant.vendors.jobs import feeds_poll_all
from operant.vendors.models import VendorFeed
from tests.fakes.status_page import FakeStatusServer, capture

pytestmark = pytest.mark.django_db

MAINTENANCE_ID = "qy6n39trpl7l"  # the capture's "Upgrade of shared servers ..."


@pytest.fixture
def cloudamqp_policy(tmp_path: Path, settings: Any) -> None:
    """The shipped policy with CloudAMQP as one more vendor we depend on."""
    text = Path(django_settings.SHIPPED_POLICY).read_text(encoding="utf-8")
    text += '\n[[vendors]]\nkey = "cloudamqp"\nname = "CloudAMQP"\n'
    path = tmp_path / "operant.toml"
    path.write_text(text, encoding="utf-8")
    settings.OPERANT_POLICY = str(path)


@pytest.fixture
def queues(cloudamqp_policy: None, catalog: None) -> Integration:
    """An integration on CloudAMQP, in the Growth package only (client_a has it, client_c's
    Starter does not)."""
    integration = Integration.objects.create(
        key="cloudamqp_queues", name="Message queues", vendor_key="cloudamqp"
    )
    ServicePackage.objects.get(key="growth").integrations.add(integration)
    return integration


@pytest.fixture
def server() -> Iterator[FakeStatusServer]:
    with FakeStatusServer(start=timezone.now()) as running:
        yield running


@pytest.fixture
def feed(server: FakeStatusServer, queues: Integration) -> VendorFeed:
    from operant.vendors.services import feed_add

    return feed_add(
        vendor_key="cloudamqp", kind="statuspage", url=server.summary_url, now=timezone.now(),
        mappings=[("Shared servers", "cloudamqp_queues")],
    )  # fmt: skip


def page(start: datetime, hours: int = 2, status: str = "scheduled") -> dict[str, Any]:
    """The capture with its maintenance re-dated to ``start`` (and components operational
    until it begins, as the page shows them before a maintenance)."""
    summary = copy.deepcopy(capture("cloudamqp_maintenance"))
    (maintenance,) = summary["scheduled_maintenances"]
    maintenance.update(
        status=status,
        scheduled_for=start.isoformat(),
        scheduled_until=(start + timedelta(hours=hours)).isoformat(),
    )
    if status == "scheduled":
        for component in summary["components"]:
            component["status"] = "operational"
    return summary


def poll(server: FakeStatusServer, summary: dict[str, Any], at: datetime) -> None:
    server.serve_page(summary)
    (result,) = feeds_poll_all(now=at)
    assert result.error == ""


def test_a_scheduled_vendor_maintenance_becomes_one_window_on_its_integrations(
    server, feed, queues, client_a: Client, client_c: Client
):
    now = timezone.now()
    start = (now + timedelta(days=4)).replace(microsecond=0)
    poll(server, page(start), now)

    window = Window.objects.get()
    assert window.external_key == f"vendor:cloudamqp:{feed.pk}:{MAINTENANCE_ID}"
    assert window.title.startswith("CloudAMQP: Upgrade of shared servers")
    assert window.scope == Scope.INTEGRATIONS
    assert [i.key for i in window.integrations.all()] == ["cloudamqp_queues"]
    assert (window.first_start, window.duration) == (start, timedelta(hours=2))
    assert (window.short_notice, window.short_notice_reason) == (False, "")
    (occurrence,) = Occurrence.objects.all()
    assert (occurrence.starts_at, occurrence.ends_at) == (start, start + timedelta(hours=2))
    assert occurrence.notice_due_at == start - timedelta(hours=72)

    # A replay (no validators: the full page again) changes nothing.
    VendorFeed.objects.update(etag="", last_modified="")
    poll(server, page(start), now + timedelta(minutes=5))
    assert Window.objects.count() == 1
    assert Occurrence.objects.count() == 1

    # At the notice lead, exactly the clients whose package has the integration are told, once.
    occurrences_notices_due(now=start - timedelta(hours=72))
    occurrences_notices_due(now=start - timedelta(hours=71))
    (notice,) = Notification.objects.filter(kind="maintenance.notice")
    assert "alice@acme-dental.example" in notice.to
    assert "Upgrade of shared servers" in notice.subject
    assert not any("cobalt-gym" in address for address in notice.to)


def test_a_moved_vendor_maintenance_moves_its_window(server, feed):
    now = timezone.now()
    start = (now + timedelta(days=4)).replace(microsecond=0)
    poll(server, page(start), now)
    later = start + timedelta(days=1, hours=3)
    poll(server, page(later, hours=3), now + timedelta(minutes=5))

    window = Window.objects.get()
    assert (window.first_start, window.duration) == (later, timedelta(hours=3))
    (occurrence,) = Occurrence.objects.all()
    assert (occurrence.starts_at, occurrence.ends_at) == (later, later + timedelta(hours=3))
    assert occurrence.notice_due_at == later - timedelta(hours=72)


def test_a_vendor_maintenance_at_short_notice_is_never_refused(server, feed, client_a: Client):
    now = timezone.now()
    start = (now + timedelta(hours=2)).replace(microsecond=0)
    poll(server, page(start), now)
    window = Window.objects.get()
    assert (window.short_notice, window.short_notice_reason) == (
        True, "scheduled by CloudAMQP",
    )  # fmt: skip
    occurrences_notices_due(now=now)
    (notice,) = Notification.objects.filter(kind="maintenance.notice")
    assert "scheduled by CloudAMQP" in notice.body_text


def test_a_cancelled_maintenance_drops_its_occurrence_and_a_completed_one_ends_now(server, feed):
    now = timezone.now()
    start = (now + timedelta(days=4)).replace(microsecond=0)
    poll(server, page(start), now)
    cancelled = page(start)
    cancelled["scheduled_maintenances"] = []  # the page no longer lists it
    poll(server, cancelled, now + timedelta(minutes=5))
    assert not Occurrence.objects.exists()
    assert Window.objects.count() == 1  # kept: the history of what was announced

    # Another one, running now, then completed early: its occurrence ends at once.
    Window.objects.all().delete()
    running_since = (now - timedelta(minutes=30)).replace(microsecond=0)
    poll(server, page(running_since, status="in_progress"), now)
    (occurrence,) = Occurrence.objects.all()
    assert occurrence.is_on(now)
    done_at = now + timedelta(minutes=10)
    poll(server, page(running_since, status="completed"), done_at)
    occurrence.refresh_from_db()
    assert (occurrence.ends_at, occurrence.after_due_at) == (done_at, done_at)


def test_an_unmapped_or_undated_vendor_maintenance_is_no_window(server, feed):
    now = timezone.now()
    summary = page(now + timedelta(days=4))
    summary["scheduled_maintenances"][0]["components"] = []
    summary["scheduled_maintenances"][0]["incident_updates"] = []
    poll(server, summary, now)
    undated = page(now + timedelta(days=4))
    undated["scheduled_maintenances"][0]["scheduled_for"] = None
    VendorFeed.objects.update(etag="")
    poll(server, undated, now + timedelta(minutes=5))
    assert not Window.objects.exists()
