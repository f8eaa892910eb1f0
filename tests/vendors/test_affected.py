"""Who an incident affects: the package includes an affected integration, narrowed by the
workflow registry where it knows the client's use of that vendor; queries independent of the
number of clients."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from operant.accounts.services import client_create
from operant.monitoring.registry import workflow_create
from operant.vendors.incidents import incident_report
from operant.vendors.queries import incident_affected_clients

pytestmark = pytest.mark.django_db


def report(*keys: str, vendor: str = "twilio"):
    return incident_report(
        vendor_key=vendor, title="Delays", integration_keys=keys, body="", now=timezone.now()
    )


def slugs(incident) -> list[str]:
    return list(incident_affected_clients(incident=incident).values_list("slug", flat=True))


def test_an_sms_incident_affects_exactly_the_clients_using_sms(clients):
    assert slugs(report("twilio_sms")) == ["acme-dental", "cobalt-gym"]


def test_a_voice_incident_skips_a_client_whose_workflows_use_only_sms(clients):
    # acme-dental's Growth package has voice, but its only Twilio workflow is on SMS.
    assert slugs(report("twilio_voice")) == ["delta-vet", "echo-spa"]


def test_an_incident_on_two_integrations_affects_the_union(clients):
    assert slugs(report("twilio_sms", "twilio_voice")) == [
        "acme-dental", "cobalt-gym", "delta-vet", "echo-spa",
    ]  # fmt: skip


def test_a_meta_incident_affects_by_package_when_no_workflow_is_registered(clients):
    omni = client_create(name="Fox Studio", package_key="omnichannel")
    assert slugs(report("instagram_messaging", vendor="meta")) == [omni.slug]


def _grow(n: int, start: int) -> None:
    for i in range(start, start + n):
        client = client_create(name=f"Bulk {i:04d}", package_key="growth")
        if i % 2:
            workflow_create(
                client=client, name="Texts", platform="twilio_studio",
                integration_keys=["twilio_voice"], now=timezone.now(),
            )  # fmt: skip


def test_the_query_count_does_not_grow_with_the_clients(clients):
    incident = report("twilio_sms", "twilio_voice")

    def measured() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            found = len(slugs(incident))
        return found, len(queries)

    _grow(3, 0)
    small, small_queries = measured()
    _grow(30, 3)
    large, large_queries = measured()
    assert large == small + 30  # growth: voice in the package, and used or not registered
    assert large_queries == small_queries <= 2
