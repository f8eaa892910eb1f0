"""Console: the vendor incidents list, an incident with its timeline and everyone it affects,
the feeds with their last error and next poll, and the maintenance windows with their notice
state. Client users are refused every one of them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from operant.maintenance.jobs import occurrences_notices_due
from operant.vendors.incidents import incident_post
from operant.vendors.jobs import feeds_poll_due
from operant.vendors.models import VendorFeed
from tests.web.monitoring_helpers import make_workflow
from tests.web.portal_helpers import ticket_for
from tests.web.status_fixtures import SMS_UPDATE, sms_outage, voice_incident, windows

__all__ = ["sms_outage", "voice_incident", "windows"]

pytestmark = pytest.mark.django_db

INCIDENTS = reverse("console:vendor_incidents")
FEEDS = reverse("console:vendor_feeds")
MAINTENANCE = reverse("console:maintenance")


def test_the_list_shows_open_incidents_first_and_filters_to_open_ones(
    agent_client, sms_outage, voice_incident
):
    incident_post(incident=voice_incident, body="Fixed.", status="resolved", now=timezone.now())
    html = agent_client.get(INCIDENTS).content.decode()
    assert html.index("SMS delivery delays") < html.index("Voice calls dropping")
    assert "Entered by an agent" in html
    only_open = agent_client.get(INCIDENTS, {"open": "1"}).content.decode()
    assert "SMS delivery delays" in only_open
    assert "Voice calls dropping" not in only_open


def test_the_incident_page_shows_timeline_and_everyone_affected(
    agent_client, client_a, client_c, sms_outage
):
    workflow = make_workflow(client_a, "Acme reminders")
    ticket = ticket_for(client_c, "Texts not arriving")
    incident = sms_outage.incident
    html = agent_client.get(reverse("console:vendor_incident", args=[incident.pk])).content.decode()
    assert html.index("Investigating") < html.index(SMS_UPDATE)  # oldest first
    assert "Twilio SMS" in html
    assert reverse("console:client", args=[client_a.slug]) in html
    assert reverse("console:client", args=[client_c.slug]) in html
    assert reverse("console:workflow", args=[workflow.pk]) in html
    assert reverse("console:ticket", args=[ticket.pk]) in html
    assert ticket.ref in html


def test_an_unaffected_clients_tickets_are_not_listed(
    agent_client, client_a, client_c, voice_incident
):
    # Cobalt's Starter package has no voice; Acme's Growth package has, and no workflow of
    # Acme's tells otherwise.
    affected = ticket_for(client_a, "Calls cut off")
    unaffected = ticket_for(client_c, "Question about invoices")
    html = agent_client.get(
        reverse("console:vendor_incident", args=[voice_incident.pk])
    ).content.decode()
    assert affected.ref in html
    assert unaffected.ref not in html
    assert client_c.name not in html


def test_an_unknown_incident_is_404(agent_client, db):
    assert agent_client.get(reverse("console:vendor_incident", args=[999])).status_code == 404


def test_the_feeds_page_shows_the_last_error_and_the_next_poll(agent_client, sms_outage):
    feed = sms_outage.feed
    feed.url = "http://127.0.0.1:9/api/v2/summary.json"  # nothing listens there
    feed.save(update_fields=["url"])
    feeds_poll_due(now=timezone.now() + timedelta(hours=1))
    feed = VendorFeed.objects.get(pk=feed.pk)
    assert feed.last_error
    html = agent_client.get(FEEDS).content.decode()
    assert feed.last_error in html
    assert f'datetime="{feed.next_poll_at.isoformat()}"' in html


def test_the_maintenance_page_shows_scope_occurrences_and_notice_state(
    agent_client, client_a, windows
):
    html = agent_client.get(MAINTENANCE).content.decode()
    assert "Database upgrade" in html
    assert "Voice routing upgrade" in html
    assert reverse("console:client", args=[client_a.slug]) in html  # the Acme-only window
    assert "due " in html
    # Once the notices are due and sent, the page says to how many clients.
    occurrence = windows.acme_only.occurrences.get()
    occurrences_notices_due(now=occurrence.notice_due_at)
    html = agent_client.get(MAINTENANCE).content.decode()
    assert "sent to 1 client<" in html


@pytest.mark.parametrize("url", [INCIDENTS, FEEDS, MAINTENANCE])
def test_client_users_are_refused(alice_client, url):
    assert alice_client.get(url).status_code == 403


def test_the_console_menu_links_the_new_pages(agent_client):
    html = agent_client.get(reverse("console:dashboard")).content.decode()
    assert f'href="{INCIDENTS}"' in html
    assert f'href="{MAINTENANCE}"' in html
