"""Builders for the status page tests: a Twilio SMS outage driven through the local status
server and the real poller, an agent's incident on Twilio Voice, and maintenance windows of
each public and private scope."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone

from tests.fakes.status_page import FakeStatusServer

if TYPE_CHECKING:
    from operant.accounts.models import Client
    from operant.maintenance.models import Window
    from operant.vendors.models import VendorFeed, VendorIncident

SMS_UPDATE = "Our carrier partner found the cause."


@dataclass
class Outage:
    feed: VendorFeed
    incident: VendorIncident


@pytest.fixture
def sms_outage(catalog: None) -> Iterator[Outage]:
    """Twilio's page polled while up, then during its SMS outage (with a second update)."""
    from operant.vendors.jobs import feeds_poll_due
    from operant.vendors.models import VendorIncident
    from operant.vendors.services import component_map_seed, feed_add

    component_map_seed()
    now = timezone.now()
    with FakeStatusServer(start=now - timedelta(minutes=5)) as server:
        feed = feed_add(vendor_key="twilio", kind="statuspage", url=server.summary_url, now=now)
        feeds_poll_due(now=now)
        server.go("outage_update")
        feeds_poll_due(now=now + timedelta(minutes=3))
        feed.refresh_from_db()
        yield Outage(feed=feed, incident=VendorIncident.objects.get())


@pytest.fixture
def voice_incident(catalog: None) -> VendorIncident:
    """An agent's incident on Twilio Voice: Growth clients without a Twilio workflow (Acme,
    when it registered none) are affected; Starter clients (Cobalt: SMS only) are not."""
    from operant.vendors.incidents import incident_report

    return incident_report(
        vendor_key="twilio",
        title="Voice calls dropping",
        integration_keys=["twilio_voice"],
        body="Calls drop after a few seconds; we have asked Twilio.",
        now=timezone.now(),
    )


@dataclass
class Windows:
    everything: Window
    voice: Window
    acme_only: Window


@pytest.fixture
def windows(client_a: Client) -> Windows:
    """Windows far enough ahead for a normal notice: one for everything, one for Twilio Voice,
    one for Acme alone (which no public page may show)."""
    from operant.maintenance.services import window_create

    now = timezone.now()
    start = now + timedelta(days=10)

    def add(title: str, **scope: list[str]) -> Window:
        return window_create(
            title=title, start=start, end=start + timedelta(hours=2), now=now, **scope
        )

    return Windows(
        everything=add("Database upgrade"),
        voice=add("Voice routing upgrade", integration_keys=["twilio_voice"]),
        acme_only=add("Acme Dental data migration", client_slugs=[client_a.slug]),
    )
