"""Portal: a client's status page shows only the incidents and maintenance that affect that
client, and its calendar's address; another client's never appear."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from operant.maintenance.models import CalendarFeed
from operant.vendors.incidents import incident_post
from tests.web.status_fixtures import sms_outage, voice_incident, windows

__all__ = ["sms_outage", "voice_incident", "windows"]

pytestmark = pytest.mark.django_db

STATUS = reverse("portal:status")


def test_each_client_sees_only_what_affects_it(
    alice_client, charlie_client, sms_outage, voice_incident, windows
):
    # Acme (Growth: SMS and voice, no workflow registered) is affected by both incidents and
    # every window; Cobalt (Starter: SMS only) by the SMS outage and the window for everyone.
    acme = alice_client.get(STATUS).content.decode()
    cobalt = charlie_client.get(STATUS).content.decode()
    for text in ["SMS delivery delays", "Voice calls dropping", "Database upgrade",
                 "Voice routing upgrade", "Acme Dental data migration"]:  # fmt: skip
        assert text in acme, text
    assert "SMS delivery delays" in cobalt
    assert "Database upgrade" in cobalt
    for text in ["Voice calls dropping", "Voice routing upgrade", "Acme Dental data migration"]:
        assert text not in cobalt, text


def test_a_registered_workflow_narrows_the_incidents(alice_client, client_a, voice_incident):
    from tests.web.monitoring_helpers import make_workflow

    make_workflow(client_a, "Acme reminders", integration_keys=["twilio_sms"])
    html = alice_client.get(STATUS).content.decode()
    assert "Voice calls dropping" not in html  # the registry knows Acme uses SMS only
    assert "Nothing affects your services right now." in html


def test_resolved_incidents_are_listed_apart(alice_client, voice_incident):
    incident_post(incident=voice_incident, body="Calls work again.", status="resolved",
                  now=timezone.now())  # fmt: skip
    html = alice_client.get(STATUS).content.decode()
    assert "Nothing affects your services right now." in html
    assert html.index("Resolved in the last week") < html.index("Voice calls dropping")
    assert "Calls work again." in html


def test_the_page_gives_the_clients_own_calendar_address(alice_client, charlie_client, client_a):
    html = alice_client.get(STATUS).content.decode()
    token = CalendarFeed.objects.get(client=client_a).token
    assert f"/maintenance/calendar/{token}.ics" in html
    assert token not in charlie_client.get(STATUS).content.decode()


def test_agents_are_refused_the_portal_page(agent_client):
    assert agent_client.get(STATUS).status_code == 403


def test_the_portal_tabs_link_the_page(alice_client):
    html = alice_client.get(reverse("portal:home")).content.decode()
    assert f'href="{STATUS}"' in html
