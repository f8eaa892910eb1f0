"""The scripted sequence through the worker: operational -> partial outage with updates ->
resolved, on Statuspage JSON and on Atom, with exactly the right clients affected."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from operant.vendors.jobs import feeds_poll_due
from operant.vendors.models import ComponentStatus, IncidentSource, VendorFeed, VendorIncident
from operant.vendors.queries import incident_affected_clients, incident_affected_workflows
from operant.vendors.services import feed_add
from tests.fakes.status_page import INCIDENT_ID, SMS

pytestmark = pytest.mark.django_db


def poll(feed: VendorFeed, minutes: int) -> int:
    """One worker pass, at a time when the feed is due."""
    return feeds_poll_due(now=timezone.now() + timedelta(minutes=minutes))


def test_the_statuspage_sequence_opens_updates_and_resolves_one_incident(
    status_server, statuspage_feed, clients
):
    assert poll(statuspage_feed, 0) == 1
    assert not VendorIncident.objects.exists()
    assert ComponentStatus.objects.get(component_id=SMS).status == "operational"

    status_server.go("outage")
    poll(statuspage_feed, 3)
    incident = VendorIncident.objects.get()
    assert (incident.external_id, incident.status, incident.impact) == (
        INCIDENT_ID, "investigating", "major",
    )  # fmt: skip
    assert [i.key for i in incident.integrations.all()] == ["twilio_sms"]
    assert [c.slug for c in incident_affected_clients(incident=incident)] == [
        "acme-dental", "cobalt-gym",
    ]  # fmt: skip
    assert [w.name for w in incident_affected_workflows(incident=incident)] == ["Reminders"]
    assert ComponentStatus.objects.get(component_id=SMS).status == "partial_outage"
    assert incident.updates.count() == 1

    status_server.go("outage_update")
    poll(statuspage_feed, 6)
    poll(statuspage_feed, 9)  # a 304: nothing appended twice
    incident.refresh_from_db()
    assert incident.status == "identified"
    assert list(incident.updates.values_list("status", flat=True)) == [
        "investigating", "identified",
    ]  # fmt: skip

    status_server.go("resolved")
    poll(statuspage_feed, 12)
    incident.refresh_from_db()
    assert incident.status == "resolved"
    assert incident.resolved_at == status_server.script.start + timedelta(minutes=40)
    assert list(incident.updates.values_list("status", flat=True)) == [
        "investigating", "identified", "resolved",
    ]  # fmt: skip
    assert VendorIncident.objects.count() == 1
    statuspage_feed.refresh_from_db()
    assert statuspage_feed.last_error == ""
    assert statuspage_feed.consecutive_failures == 0


def test_a_replayed_page_without_validators_appends_nothing(status_server, statuspage_feed):
    status_server.go("outage_update")
    poll(statuspage_feed, 0)
    VendorFeed.objects.update(etag="", last_modified="")
    poll(statuspage_feed, 3)
    incident = VendorIncident.objects.get()
    assert incident.updates.count() == 2


def test_a_component_down_before_the_page_has_an_incident_opens_one_the_vendor_adopts(
    status_server, statuspage_feed, clients
):
    page = status_server.script
    captured = page.captured
    # The page shows the outage but no incident yet.
    status_server.go("outage")
    page.captured = {**captured, "id": "later"}
    real_summary = page.summary

    def no_incident(step: str) -> dict:
        summary = real_summary(step)
        summary["incidents"] = []
        return summary

    page.summary = no_incident
    poll(statuspage_feed, 0)
    derived = VendorIncident.objects.get()
    assert derived.source == IncidentSource.COMPONENT
    assert [i.key for i in derived.integrations.all()] == ["twilio_sms"]
    assert derived.updates.get().body == "SMS: Partial outage"
    assert [c.slug for c in incident_affected_clients(incident=derived)] == [
        "acme-dental", "cobalt-gym",
    ]  # fmt: skip

    # The vendor publishes its incident: the same incident, now under the vendor's id.
    page.summary = real_summary
    page.captured = captured
    status_server.go("outage_update")
    poll(statuspage_feed, 3)
    adopted = VendorIncident.objects.get()
    assert (adopted.pk, adopted.external_id) == (derived.pk, INCIDENT_ID)
    assert adopted.source == IncidentSource.STATUSPAGE

    status_server.go("resolved")
    poll(statuspage_feed, 6)
    assert VendorIncident.objects.get().status == "resolved"


def test_a_component_back_to_operational_resolves_its_derived_incident(
    status_server, statuspage_feed
):
    real_summary = status_server.script.summary

    def no_incident(step: str) -> dict:
        summary = real_summary(step)
        summary["incidents"] = []
        return summary

    status_server.script.summary = no_incident
    status_server.go("outage")
    poll(statuspage_feed, 0)
    status_server.go("operational")
    poll(statuspage_feed, 3)
    incident = VendorIncident.objects.get()
    assert incident.status == "resolved"
    assert list(incident.updates.values_list("body", flat=True)) == [
        "SMS: Partial outage", "All affected components are operational.",
    ]  # fmt: skip


def test_an_incident_gone_from_the_unresolved_list_is_resolved(status_server, statuspage_feed):
    status_server.go("outage")
    poll(statuspage_feed, 0)
    status_server.go("operational")  # Statuspage drops resolved incidents from the summary
    poll(statuspage_feed, 3)
    incident = VendorIncident.objects.get()
    assert incident.status == "resolved"
    assert "no longer lists" in incident.updates.last().body


def test_the_atom_sequence_drives_the_same_incident(status_server, component_map, clients):
    feed = feed_add(
        vendor_key="twilio", kind="atom", url=status_server.atom_url, now=timezone.now(),
        mappings=[("Programmable Messaging", "twilio_sms")],
    )  # fmt: skip
    poll(feed, 0)
    assert not VendorIncident.objects.exists()
    status_server.go("outage")
    poll(feed, 3)
    incident = VendorIncident.objects.get()
    assert incident.source == IncidentSource.ATOM
    assert [c.slug for c in incident_affected_clients(incident=incident)] == [
        "acme-dental", "cobalt-gym",
    ]  # fmt: skip
    status_server.go("outage_update")
    poll(feed, 6)
    incident.refresh_from_db()
    assert incident.status == "identified"
    status_server.go("resolved")
    poll(feed, 9)
    incident.refresh_from_db()
    assert incident.status == "resolved"
    assert list(incident.updates.values_list("status", flat=True)) == [
        "investigating", "identified", "resolved",
    ]  # fmt: skip


def test_an_unmapped_vendor_incident_is_not_ours(status_server, catalog):
    feed = feed_add(
        vendor_key="twilio", kind="statuspage", url=status_server.summary_url, now=timezone.now()
    )  # no component map at all
    from operant.vendors.models import ComponentMapping

    ComponentMapping.objects.all().delete()
    status_server.go("outage")
    poll(feed, 0)
    assert not VendorIncident.objects.exists()
