"""Console: what an agent does about a vendor incident. Each action calls its vendors service,
redirects back with a message, and shows the service's refusal on the page (400) with nothing
stored. Client users are refused every action; a post without the CSRF token is refused."""

from __future__ import annotations

import pytest
from django.test import Client as DjangoClient
from django.urls import reverse
from django.utils import timezone

from operant.accounts.models import Client
from operant.vendors.incidents import incident_post, incident_report
from operant.vendors.jobs import incidents_notices_due, incidents_tickets_due
from operant.vendors.models import IncidentTicket, IncidentUpdate, VendorIncident
from operant.vendors.workarounds import WORKAROUND_SEED, workaround_templates_seed
from tests.web.portal_helpers import ticket_for
from tests.web.status_fixtures import voice_incident

__all__ = ["voice_incident"]

pytestmark = pytest.mark.django_db

VOICE_TEMPLATE = dict(WORKAROUND_SEED)["twilio_voice"]


def page_of(incident: VendorIncident) -> str:
    return reverse("console:vendor_incident", args=[incident.pk])


def action(name: str, incident: VendorIncident) -> str:
    return reverse(f"console:vendor_incident_{name}", args=[incident.pk])


@pytest.fixture
def major_incident(catalog: None) -> VendorIncident:
    """A major Twilio Voice incident: material as soon as the policy's minimum minutes pass."""
    return incident_report(
        vendor_key="twilio",
        title="Voice down",
        integration_keys=["twilio_voice"],
        body="No calls connect.",
        impact="major",
        now=timezone.now(),
    )


# ---- workaround ------------------------------------------------------------------------------


def test_the_workaround_form_starts_from_the_integration_template(agent_client, voice_incident):
    workaround_templates_seed()
    html = agent_client.get(page_of(voice_incident)).content.decode()
    assert "None set yet" in html
    assert VOICE_TEMPLATE in html


def test_saving_a_workaround_adds_it_to_the_timeline(agent_client, agent, voice_incident):
    text = "Forward the automated line to the front desk's mobile."
    response = agent_client.post(action("workaround", voice_incident), {"text": text})
    assert response.status_code == 302
    assert response["Location"] == page_of(voice_incident)
    voice_incident.refresh_from_db()
    assert voice_incident.workaround == text
    entry = voice_incident.updates.latest("pk")
    assert entry.body == f"Workaround: {text}"
    assert entry.author == agent
    html = agent_client.get(page_of(voice_incident)).content.decode()
    assert "Workaround saved" in html
    assert "None set yet" not in html


def test_a_blank_workaround_is_refused_with_the_services_message(agent_client, voice_incident):
    before = IncidentUpdate.objects.count()
    response = agent_client.post(action("workaround", voice_incident), {"text": "   "})
    assert response.status_code == 400
    assert "a workaround needs some text" in response.content.decode()
    voice_incident.refresh_from_db()
    assert voice_incident.workaround == ""
    assert IncidentUpdate.objects.count() == before


# ---- approval --------------------------------------------------------------------------------


def test_notices_held_for_approval_go_out_once_approved(
    agent_client, agent, policy_terms, client_a, major_incident
):
    policy_terms(notices_need_approval="true", minimum_minutes="0")
    incidents_notices_due(now=timezone.now())
    html = agent_client.get(page_of(major_incident)).content.decode()
    assert "Material since" in html
    assert "Notices wait for an agent's approval" in html
    assert "No notice sent yet." in html

    response = agent_client.post(action("approve", major_incident))
    assert response.status_code == 302
    major_incident.refresh_from_db()
    assert major_incident.approved_by == agent
    assert incidents_notices_due(now=timezone.now()) == 1

    html = agent_client.get(page_of(major_incident)).content.decode()
    assert "Notices approved" in html
    assert "Approve the notices" not in html
    assert "by Avery Agent" in html
    assert f"{client_a.name}: message 1 (First notice)" in html


def test_approving_an_incident_over_before_any_notice_is_refused(
    agent_client, policy_terms, major_incident
):
    policy_terms(notices_need_approval="true")
    incident_post(incident=major_incident, body="Fixed.", status="resolved", now=timezone.now())
    response = agent_client.post(action("approve", major_incident))
    assert response.status_code == 400
    assert "nothing to approve" in response.content.decode()
    major_incident.refresh_from_db()
    assert major_incident.approved_at is None


# ---- tickets ---------------------------------------------------------------------------------


def test_a_linked_ticket_is_listed_with_its_paused_clock(
    agent_client, agent, policy_terms, client_a: Client, major_incident
):
    policy_terms(minimum_minutes="0")
    ticket = ticket_for(client_a, "Phones ring out")
    incidents_notices_due(now=timezone.now())  # material: the worker looks at its tickets

    response = agent_client.post(action("link", major_incident), {"ticket": ticket.ref.lower()})
    assert response.status_code == 302
    link = IncidentTicket.objects.get(incident=major_incident, ticket=ticket)
    assert (link.via, link.linked_by) == ("agent", agent)
    incidents_tickets_due(now=timezone.now())

    html = agent_client.get(page_of(major_incident)).content.decode()
    assert f"{ticket.ref} is linked to this incident." in html
    assert "badge-clock-paused" in html
    assert "paused by it since" in html


def test_an_unknown_ticket_reference_is_refused(agent_client, voice_incident):
    response = agent_client.post(action("link", voice_incident), {"ticket": "OPR-99999"})
    assert response.status_code == 400
    assert "no ticket OPR-99999" in response.content.decode()
    assert not IncidentTicket.objects.exists()


# ---- manual incidents ------------------------------------------------------------------------


def test_an_agent_reports_an_incident_and_lands_on_its_page(agent_client, agent, catalog):
    response = agent_client.post(
        reverse("console:vendor_report"),
        {
            "vendor": "meta",
            "title": "Instagram DMs delayed",
            "integrations": ["instagram_messaging"],
            "impact": "major",
            "body": "Messages arrive minutes late.",
        },
    )
    incident = VendorIncident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == page_of(incident)
    assert (incident.source, incident.impact, incident.created_by) == ("manual", "major", agent)
    assert list(incident.integrations.values_list("key", flat=True)) == ["instagram_messaging"]
    html = agent_client.get(page_of(incident)).content.decode()
    assert "Incident reported." in html
    assert "Messages arrive minutes late." in html


def test_an_integration_of_another_vendor_is_refused(agent_client, catalog):
    response = agent_client.post(
        reverse("console:vendor_report"),
        {
            "vendor": "twilio",
            "title": "Mixed up",
            "integrations": ["instagram_messaging"],
            "impact": "minor",
            "body": "?",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "&#x27;instagram_messaging&#x27; is not an integration of twilio" in html
    assert 'value="Mixed up"' in html  # what was typed is kept
    assert not VendorIncident.objects.exists()


def test_posting_an_update_then_resolving_a_manual_incident(agent_client, voice_incident):
    url = action("post", voice_incident)
    response = agent_client.post(url, {"status": "identified", "body": "A carrier fault."})
    assert response.status_code == 302
    voice_incident.refresh_from_db()
    assert voice_incident.status == "identified"
    assert "Update posted." in agent_client.get(page_of(voice_incident)).content.decode()

    agent_client.post(url, {"status": "resolved", "body": "Calls connect again."})
    voice_incident.refresh_from_db()
    assert voice_incident.resolved_at is not None
    html = agent_client.get(page_of(voice_incident)).content.decode()
    assert "Incident resolved." in html
    assert "Post the update" not in html  # nothing more to post on a resolved incident


def test_posting_to_a_resolved_incident_is_refused(agent_client, voice_incident):
    incident_post(incident=voice_incident, body="Done.", status="resolved", now=timezone.now())
    before = voice_incident.updates.count()
    response = agent_client.post(
        action("post", voice_incident), {"status": "monitoring", "body": "Again?"}
    )
    assert response.status_code == 400
    assert "is already resolved" in response.content.decode()
    assert voice_incident.updates.count() == before


# ---- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["workaround", "approve", "link", "post"])
def test_client_users_are_refused_every_action(alice_client, voice_incident, name):
    response = alice_client.post(action(name, voice_incident), {"text": "x", "ticket": "1"})
    assert response.status_code == 403
    voice_incident.refresh_from_db()
    assert voice_incident.workaround == ""


def test_client_users_cannot_report_an_incident(alice_client):
    response = alice_client.post(reverse("console:vendor_report"), {"vendor": "twilio"})
    assert response.status_code == 403
    assert not VendorIncident.objects.exists()


def test_a_post_without_the_csrf_token_is_refused(agent, voice_incident):
    http = DjangoClient(enforce_csrf_checks=True)
    http.force_login(agent)
    response = http.post(action("workaround", voice_incident), {"text": "Call us."})
    assert response.status_code == 403
    voice_incident.refresh_from_db()
    assert voice_incident.workaround == ""


def test_actions_take_posts_only(agent_client, voice_incident):
    assert agent_client.get(action("workaround", voice_incident)).status_code == 405
