"""Monitoring's own signals suggest a vendor incident (clause 05): workflows of several clients
on one integration going down together open one *suspected* incident and alert the operator;
no client hears of it until an agent confirms it or the vendor's page takes it over."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from operant.accounts.models import Client, User
from operant.monitoring.models import Workflow
from operant.monitoring.pings import Ping, ping_record
from operant.notify.models import Notification
from operant.policy.loader import load_policy
from operant.policy.schema import PolicyError
from operant.vendors.corroboration import flips_corroborate, incident_confirm, incident_dismiss
from operant.vendors.errors import VendorsError
from operant.vendors.jobs import feeds_poll_due
from operant.vendors.models import IncidentSource, VendorIncident
from operant.vendors.queries import client_incidents, incident_rows
from tests.fakes.status_page import INCIDENT_ID

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(db: None) -> User:
    from operant.accounts.services import agent_create

    return agent_create(
        email="oncall@operant.test", name="Olive Operator", password="x" * 20, role="operator"
    )


@pytest.fixture
def three_clients(client_a: Client, client_c: Client) -> list[Client]:
    from operant.accounts.services import client_create

    return [client_a, client_c, client_create(name="Delta Vet", package_key="growth")]


def sms_workflow(client: Client, name: str = "Reminders") -> Workflow:
    from operant.monitoring.registry import workflow_create

    return workflow_create(
        client=client, name=name, platform="twilio_studio", integration_keys=["twilio_sms"],
        period_seconds=3600, now=timezone.now(),
    )  # fmt: skip


def fail(workflow: Workflow, minutes: int) -> None:
    """The workflow reports a failed run ``minutes`` from now: it is down."""
    ping_record(
        code=workflow.code, ping=Ping(kind="fail"), now=timezone.now() + timedelta(minutes=minutes)
    )
    workflow.refresh_from_db()
    assert workflow.state == "down"


def alerts() -> list[Notification]:
    return list(Notification.objects.filter(kind="monitoring.alert").order_by("pk"))


def test_three_clients_down_together_on_sms_open_one_suspected_incident_and_one_alert(
    three_clients, operator
):
    for minutes, client in enumerate(three_clients):
        fail(sms_workflow(client), minutes)
    now = timezone.now() + timedelta(minutes=3)
    assert flips_corroborate(now=now) == 1
    assert flips_corroborate(now=now + timedelta(minutes=1)) == 0  # read already: nothing new

    incident = VendorIncident.objects.get()
    assert (incident.status, incident.source, incident.vendor_key) == (
        "suspected", "monitoring", "twilio",
    )  # fmt: skip
    assert [i.key for i in incident.integrations.all()] == ["twilio_sms"]
    (entry,) = incident.updates.all()
    assert "3 workflows of 3 clients on Twilio SMS" in entry.body
    (alert,) = alerts()
    assert alert.to == [operator.email]
    assert alert.subject.startswith("SUSPECTED Twilio incident")
    # Agents only: no client notice, not on any client's status or the public page.
    assert not Notification.objects.exclude(kind="monitoring.alert").exists()
    assert not client_incidents(client=three_clients[0], resolved_since=now).exists()
    assert not incident_rows(open_only=True, confirmed_only=True).exists()

    # Another client going down later adds no second incident (an open one covers SMS).
    fail(sms_workflow(three_clients[0], name="Follow-ups"), 4)
    assert flips_corroborate(now=now + timedelta(minutes=2)) == 0
    assert VendorIncident.objects.count() == 1
    assert len(alerts()) == 1


def test_two_workflows_of_one_client_are_that_clients_problem(client_a, client_c, operator):
    fail(sms_workflow(client_a, "Reminders"), 0)
    fail(sms_workflow(client_a, "Follow-ups"), 1)
    assert flips_corroborate(now=timezone.now() + timedelta(minutes=2)) == 0
    assert not VendorIncident.objects.exists()
    assert alerts() == []


def test_clients_down_further_apart_than_the_window_are_not_together(three_clients, operator):
    for hours, client in enumerate(three_clients):
        fail(sms_workflow(client), hours * 60)
        flips_corroborate(now=timezone.now() + timedelta(hours=hours, minutes=1))
    assert not VendorIncident.objects.exists()
    assert alerts() == []


def test_a_later_vendor_incident_on_the_integration_takes_the_suspected_one_over(
    three_clients, operator, status_server, statuspage_feed
):
    for minutes, client in enumerate(three_clients):
        fail(sms_workflow(client), minutes)
    flips_corroborate(now=timezone.now() + timedelta(minutes=3))
    suspected = VendorIncident.objects.get()

    status_server.go("outage")
    feeds_poll_due(now=timezone.now() + timedelta(minutes=10))
    incident = VendorIncident.objects.get()  # merged: still one
    assert incident.pk == suspected.pk
    assert (incident.source, incident.external_id, incident.status, incident.feed_id) == (
        IncidentSource.STATUSPAGE, INCIDENT_ID, "investigating", statuspage_feed.pk,
    )  # fmt: skip
    assert incident.started_at == suspected.started_at  # we saw it first
    # One timeline: monitoring's suspicion, the vendor's update, and the takeover.
    bodies = list(incident.updates.values_list("status", "body"))
    assert [body for status, body in bodies if status == "suspected"] != []
    assert any(body.startswith("Twilio's page now reports it") for _, body in bodies)
    assert len(bodies) == 3
    # A confirmed incident is the clients' to see.
    assert client_incidents(client=three_clients[0], resolved_since=timezone.now()).exists()


def test_an_agent_confirms_or_dismisses_a_suspicion_once(three_clients, operator, agent):
    for minutes, client in enumerate(three_clients):
        fail(sms_workflow(client), minutes)
    now = timezone.now() + timedelta(minutes=3)
    flips_corroborate(now=now)
    incident = VendorIncident.objects.get()
    incident_confirm(incident=incident, now=now, author=agent)
    incident.refresh_from_db()
    assert (incident.status, incident.resolved_at) == ("investigating", None)
    with pytest.raises(VendorsError, match="not a suspected"):
        incident_dismiss(incident=incident, now=now, author=agent)


def test_a_dismissed_suspicion_is_closed_and_never_shown_to_clients(three_clients, operator, agent):
    for minutes, client in enumerate(three_clients):
        fail(sms_workflow(client), minutes)
    now = timezone.now() + timedelta(minutes=3)
    flips_corroborate(now=now)
    incident = VendorIncident.objects.get()
    incident_dismiss(incident=incident, now=now, author=agent, reason="Our carrier config")
    incident.refresh_from_db()
    assert (incident.status, incident.resolved_at) == ("dismissed", now)
    assert not client_incidents(client=three_clients[0], resolved_since=now).exists()
    assert not incident_rows(confirmed_only=True).exists()


def test_the_console_list_shows_the_badge_and_confirms_through_the_service(
    client, three_clients, operator, agent, alice
):
    for minutes, c in enumerate(three_clients):
        fail(sms_workflow(c), minutes)
    flips_corroborate(now=timezone.now() + timedelta(minutes=3))
    incident = VendorIncident.objects.get()

    client.force_login(alice)  # a portal user may not act on incidents
    response = client.post(f"/console/vendors/incidents/{incident.pk}/confirm/")
    assert response.status_code in (302, 403, 404)
    incident.refresh_from_db()
    assert incident.status == "suspected"

    client.force_login(agent)
    incident_page = client.get(f"/console/vendors/incidents/{incident.pk}/").content.decode()
    assert "Suspected from our own monitoring: clients are told once" in incident_page
    page = client.get("/console/vendors/").content.decode()
    assert "badge-inc-suspected" in page
    assert f"/console/vendors/incidents/{incident.pk}/dismiss/" in page
    response = client.post(f"/console/vendors/incidents/{incident.pk}/confirm/")
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == "investigating"
    assert (
        f"/console/vendors/incidents/{incident.pk}/confirm/"
        not in client.get("/console/vendors/").content.decode()
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("min_clients = 3", "min_clients = 1", "corroboration.min_clients: must be a whole number"),
        ("window_minutes = 15", "window_minutes = 0", "corroboration.window_minutes: must be"),
    ],
)
def test_bad_corroboration_terms_name_the_key(
    tmp_path: Path, settings, old: str, new: str, message: str
):
    text = Path(settings.SHIPPED_POLICY).read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / "bad.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(PolicyError, match=message):
        load_policy(path)


def test_a_suspicion_tells_no_client_until_an_agent_confirms_it(three_clients, operator, agent):
    from operant.vendors.jobs import incidents_notices_due, incidents_tickets_due

    for minutes, client in enumerate(three_clients):
        fail(sms_workflow(client), minutes)
    now = timezone.now() + timedelta(minutes=3)
    flips_corroborate(now=now)
    incident = VendorIncident.objects.get()
    incident.impact = "critical"  # as severe as can be, and long past the minimum duration
    incident.save(update_fields=["impact"])
    later = now + timedelta(hours=2)
    assert incidents_notices_due(now=later) == 0
    assert incidents_tickets_due(now=later) == 0
    incident.refresh_from_db()
    assert incident.material_at is None
    assert not Notification.objects.filter(kind__startswith="vendors.").exists()

    incident_confirm(incident=incident, now=later, author=agent)
    reachable = [c for c in three_clients if c.notice_addresses()]  # Delta Vet has no address
    assert len(reachable) == 2
    assert incidents_notices_due(now=later) == len(reachable)
    told = Notification.objects.filter(kind="vendors.notice")
    assert sorted(address for n in told for address in n.to) == sorted(
        address for c in reachable for address in c.notice_addresses()
    )
