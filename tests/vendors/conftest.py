"""Fixtures for vendors: the local status server, a feed on it, and clients of each kind.

The clients of ``clients`` tell the affected-clients rule apart for a Twilio SMS incident:
- ``acme-dental`` (Growth: SMS and voice), a workflow on SMS: affected;
- ``cobalt-gym`` (Starter: SMS), no workflow: affected by its package alone;
- ``delta-vet`` (Growth), its only Twilio workflow on voice: the registry knows it does not
  use SMS, so not affected;
- ``echo-spa`` (a voice-only package): not affected.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone

from tests.fakes.status_page import FakeStatusServer

if TYPE_CHECKING:
    from operant.accounts.models import Client
    from operant.vendors.models import VendorFeed


@pytest.fixture
def component_map(catalog: None) -> None:
    """The seeded component map (a transactional test may have flushed migration 0002's)."""
    from operant.vendors.services import component_map_seed

    component_map_seed()


@pytest.fixture
def status_server() -> Iterator[FakeStatusServer]:
    with FakeStatusServer(start=timezone.now() - timedelta(minutes=5)) as server:
        yield server


@pytest.fixture
def statuspage_feed(status_server: FakeStatusServer, component_map: None) -> VendorFeed:
    from operant.vendors.services import feed_add

    return feed_add(
        vendor_key="twilio", kind="statuspage", url=status_server.summary_url, now=timezone.now()
    )


def voice_only_package() -> None:
    from operant.accounts.models import Integration, ServicePackage

    package, _ = ServicePackage.objects.get_or_create(
        key="voice-only", defaults={"name": "Voice only", "monthly_retainer": Decimal("200.00")}
    )
    package.integrations.set([Integration.objects.get(key="twilio_voice")])


@pytest.fixture
def clients(client_a: Client, client_c: Client) -> dict[str, Client]:
    from operant.accounts.services import client_create
    from operant.monitoring.registry import workflow_create

    voice_only_package()
    delta = client_create(name="Delta Vet", package_key="growth")
    echo = client_create(name="Echo Spa", package_key="voice-only")
    now = timezone.now()
    for client, name, keys in [
        (client_a, "Reminders", ["twilio_sms"]),
        (delta, "Call routing", ["twilio_voice"]),
        (echo, "Voicemail", ["twilio_voice"]),
    ]:
        workflow_create(
            client=client, name=name, platform="twilio_studio", integration_keys=keys, now=now
        )
    return {c.slug: c for c in (client_a, client_c, delta, echo)}
