"""Clause 05 through the worker: the scripted status page goes operational -> partial outage
with updates -> resolved; exactly the affected clients are told once per message (two worker
passes each time), again when the workaround or status changes, and of the resolution; the
policy's materiality and approval hold notices back."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from operant.accounts.services import client_create
from operant.notify.models import Notification
from operant.vendors.jobs import feeds_poll_due, incidents_notices_due
from operant.vendors.models import IncidentNotice, IncidentUpdate, VendorIncident
from operant.vendors.notices import incident_approve
from operant.vendors.workarounds import (
    incident_workaround_prefill,
    incident_workaround_set,
    workaround_templates_seed,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def templates(component_map: None) -> None:
    workaround_templates_seed()  # a transactional test may have flushed migration 0004's


def at(minutes: int) -> datetime:
    return timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=minutes)


def passes(minutes: int) -> int:
    """Two worker passes at the same instant, as two workers would run them."""
    return incidents_notices_due(now=at(minutes)) + incidents_notices_due(now=at(minutes))


def told() -> list[tuple[str, str, list[str]]]:
    rows = Notification.objects.filter(kind__startswith="vendors.").order_by("pk")
    return [(n.kind, n.subject.split(":")[0], n.to) for n in rows]


def test_the_affected_clients_are_told_each_message_once(status_server, statuspage_feed, clients):
    feeds_poll_due(now=at(0))
    status_server.go("outage")
    feeds_poll_due(now=at(3))
    incident = VendorIncident.objects.get()
    # The incident started 5 minutes ago: material at 15 minutes, not before.
    assert passes(4) == 0
    incident.refresh_from_db()
    assert incident.material_at is None
    assert incident.notices_due_at == incident.started_at + timedelta(minutes=15)

    assert passes(11) == 2
    assert told() == [
        ("vendors.notice", "Service disruption", ["alice@acme-dental.example"]),
        ("vendors.notice", "Service disruption", ["charlie@cobalt-gym.example"]),
    ]
    first, second = Notification.objects.filter(kind="vendors.notice").order_by("pk")
    # One wording for both, rendered once; each greeted by its own name.
    assert {first.body_text.split("\n", 1)[0], second.body_text.split("\n", 1)[0]} == {
        "Hello Acme Dental,",
        "Hello Cobalt Gym,",
    }
    assert first.body_text.split("\n", 1)[1] == second.body_text.split("\n", 1)[1]
    assert "Text messages may arrive late" in first.body_text  # the SMS template
    assert "Status: Investigating" in first.body_text
    assert passes(12) == 0  # nothing new to say

    status_server.go("outage_update")
    feeds_poll_due(now=at(14))
    assert passes(14) == 2  # investigating -> identified
    incident.refresh_from_db()
    incident_workaround_set(incident=incident, text="Call your customers.", now=at(15))
    assert passes(15) == 2
    assert passes(16) == 0
    assert IncidentUpdate.objects.filter(body="Workaround: Call your customers.").exists()

    status_server.go("resolved")
    feeds_poll_due(now=at(40))
    assert passes(41) == 2
    assert passes(42) == 0
    kinds = [kind for kind, _, _ in told()]
    assert kinds == ["vendors.notice"] * 2 + ["vendors.update"] * 4 + ["vendors.resolved"] * 2
    resolution = Notification.objects.filter(kind="vendors.resolved").first()
    assert "has resolved the disruption" in resolution.body_text
    update = Notification.objects.filter(kind="vendors.update").last()
    assert "Call your customers." in update.body_text
    # One row per client and message: acme and cobalt, four messages each.
    assert IncidentNotice.objects.count() == 8
    assert set(IncidentNotice.objects.values_list("client__slug", flat=True)) == {
        "acme-dental", "cobalt-gym",
    }  # fmt: skip


def test_notices_wait_for_an_agent_when_the_policy_asks(
    policy_terms, status_server, statuspage_feed, clients, agent
):
    policy_terms(notices_need_approval="true", minimum_minutes="0")
    status_server.go("outage")
    feeds_poll_due(now=at(1))
    incident = VendorIncident.objects.get()
    assert passes(1) == 0
    incident.refresh_from_db()
    assert incident.material_at is not None  # material, but nobody approved the notice yet
    assert incident_approve(incident=incident, actor=agent, now=at(2))
    assert not incident_approve(incident=incident, actor=agent, now=at(2))
    assert passes(2) == 2
    assert passes(3) == 0


def test_a_disruption_over_before_it_is_material_tells_nobody(
    status_server, statuspage_feed, clients
):
    status_server.go("outage")
    feeds_poll_due(now=at(1))
    status_server.go("resolved")
    feeds_poll_due(now=at(8))  # resolved before the notices job looked at it
    assert VendorIncident.objects.get().resolved_at is not None
    assert passes(60) == 0
    assert not Notification.objects.filter(kind__startswith="vendors.").exists()


def test_a_milder_disruption_than_the_policy_minimum_is_not_material(
    policy_terms, status_server, statuspage_feed, clients
):
    policy_terms(minimum_severity='"major_outage"')
    status_server.go("outage")  # a partial outage
    feeds_poll_due(now=at(1))
    assert passes(30) == 0
    assert VendorIncident.objects.get().material_at is None


def test_the_prefill_joins_the_integrations_templates(status_server, statuspage_feed, clients):
    from operant.accounts.models import Integration

    status_server.go("outage")
    feeds_poll_due(now=at(1))
    incident = VendorIncident.objects.get()
    incident.integrations.add(Integration.objects.get(key="twilio_voice"))
    text = incident_workaround_prefill(incident)
    assert text.index("Text messages") < text.index("Calls to your automated number")


def test_the_notice_round_costs_the_same_queries_for_more_clients(
    status_server, statuspage_feed, clients, policy_terms
):
    policy_terms(minimum_minutes="0")
    status_server.go("outage")
    feeds_poll_due(now=at(1))
    assert passes(2) == 2  # the first notice
    incident = VendorIncident.objects.get()
    incident_workaround_set(incident=incident, text="Call them.", now=at(3))
    with CaptureQueriesContext(connection) as few:
        assert passes(3) == 2
    for n in range(5):
        client_create(name=f"Starter {n}", package_key="starter", emails=[f"s{n}@x.example"])
    incident_workaround_set(incident=incident, text="Call them now.", now=at(4))
    with CaptureQueriesContext(connection) as many:
        assert passes(4) == 7
    assert len(many) == len(few)
