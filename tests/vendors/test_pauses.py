"""Clause 03 through the worker: while a material vendor incident lasts, the tickets it affects
(the client is affected and the ticket is about the integration) have their clocks paused for
"third-party outage", linked to the incident, and resumed when it ends; an acknowledgement
sent meanwhile says so."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from operant.desk.models import ClockPause, ClockState, Ticket
from operant.desk.services import ticket_acknowledge, ticket_open
from operant.monitoring.models import Workflow
from operant.notify.models import Notification
from operant.vendors.jobs import feeds_poll_due, incidents_notices_due, incidents_tickets_due
from operant.vendors.models import IncidentTicket, VendorIncident
from operant.vendors.tickets import incident_ticket_link

pytestmark = pytest.mark.django_db

SMS_DOWN = "Our SMS reminders are down, no texts have been sent since this morning. Urgent!"


def at(minutes: int) -> datetime:
    return timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=minutes)


def worker(minutes: int) -> int:
    """Two passes of the incident jobs at one instant, as two workers would run them."""
    now = at(minutes)
    return sum(incidents_notices_due(now=now) + incidents_tickets_due(now=now) for _ in range(2))


def open_ticket(client, text: str, subject: str = "Problem") -> Ticket:
    contact = client.contacts.order_by("pk").first()
    email = contact.email if contact else f"someone@{client.slug}.example"
    now = timezone.now()
    return ticket_open(
        client=client, contact=contact, requester_email=email, subject=subject, text=text,
        received_at=now, now=now,
    )  # fmt: skip


def test_clocks_of_affected_tickets_pause_for_the_incident_and_resume_after(
    status_server, statuspage_feed, clients, agent
):
    acme, cobalt, delta = clients["acme-dental"], clients["cobalt-gym"], clients["delta-vet"]
    classified = open_ticket(cobalt, SMS_DOWN)
    assert classified.request_class == "outage"
    monitored = open_ticket(acme, "The workflow Reminders stopped.", subject="Workflow down")
    Workflow.objects.filter(client=acme, name="Reminders").update(outage_ticket=monitored)
    question = open_ticket(acme, "Could you change the wording of our SMS reminder?")
    linked_by_hand = open_ticket(acme, "Our bookings page looks odd today.")
    not_affected = open_ticket(delta, SMS_DOWN)  # delta's Twilio workflow is on voice only

    feeds_poll_due(now=at(1))
    status_server.go("outage")
    feeds_poll_due(now=at(3))
    incident = VendorIncident.objects.get()
    incident_ticket_link(incident=incident, ticket=linked_by_hand, actor=agent, now=at(4))
    worker(4)  # not material yet (the incident started 5 minutes ago; 15 are needed)
    assert not IncidentTicket.objects.filter(paused_at__isnull=False).exists()

    worker(11)
    paused = {classified.pk, monitored.pk, linked_by_hand.pk}
    assert set(IncidentTicket.objects.values_list("ticket_id", "via")) == {
        (classified.pk, "classified"), (monitored.pk, "workflow"), (linked_by_hand.pk, "agent"),
    }  # fmt: skip
    for ticket in Ticket.objects.filter(pk__in=paused):
        assert (ticket.clock_state, ticket.pause_reason) == ("paused", "third_party_outage")
    for ticket in (question, not_affected):
        ticket.refresh_from_db()
        assert ticket.clock_state == ClockState.RUNNING
    assert worker(12) == 0  # a second look pauses nothing twice
    assert ClockPause.objects.filter(reason="third_party_outage").count() == 3

    status_server.go("resolved")
    feeds_poll_due(now=at(40))
    worker(41)
    for ticket in Ticket.objects.filter(pk__in=paused):
        assert ticket.clock_state == ClockState.RUNNING
        # 12:11 to 12:41 on a Tuesday in New York: 30 business minutes, excluded.
        assert ticket.paused_seconds == 30 * 60
    pauses = ClockPause.objects.filter(reason="third_party_outage")
    assert {(p.started_at, p.ended_at) for p in pauses} == {(at(11), at(41))}
    assert not IncidentTicket.objects.filter(resumed_at__isnull=True).exists()
    assert worker(42) == 0


def test_a_clock_paused_by_an_agent_meanwhile_is_left_to_the_agent(
    status_server, statuspage_feed, clients
):
    from operant.desk.services import ticket_clock_resume

    ticket = open_ticket(clients["cobalt-gym"], SMS_DOWN)
    status_server.go("outage")
    feeds_poll_due(now=at(1))
    worker(11)
    ticket_clock_resume(ticket=ticket, actor=None, now=at(20))
    status_server.go("resolved")
    feeds_poll_due(now=at(40))
    worker(41)
    ticket.refresh_from_db()
    assert ticket.clock_state == ClockState.RUNNING
    assert ticket.paused_seconds == 9 * 60


def test_the_acknowledgement_of_a_ticket_during_an_incident_says_so(
    status_server, statuspage_feed, clients
):
    status_server.go("outage")
    feeds_poll_due(now=at(1))
    worker(11)
    during = open_ticket(clients["cobalt-gym"], SMS_DOWN)
    unaffected = open_ticket(clients["echo-spa"], "Our voicemail greeting is wrong.")
    for ticket in (during, unaffected):
        ticket_acknowledge(ticket=ticket, now=at(12))
    acks = {
        n.to[0].split("@")[1]: n.body_text
        for n in Notification.objects.filter(kind="desk.acknowledgement")
    }
    assert (
        'Twilio is having an incident affecting Twilio SMS ("SMS delivery delays")'
        in acks["cobalt-gym.example"]
    )
    assert "the response time for requests about it is paused" in acks["cobalt-gym.example"]
    assert "Twilio is having" not in acks.get("acme-dental.example", "")  # no ticket: no ack
    # Echo Spa's package has no SMS: its acknowledgement would say nothing of the incident.
    from operant.vendors.acknowledgement import vendors_ack_context

    assert set(vendors_ack_context([during, unaffected], at(12))) == {during.pk}
