"""Incidents an agent enters, and their updates."""

from __future__ import annotations

import pytest
from django.utils import timezone

from operant.core.errors import UserError
from operant.vendors.incidents import incident_post, incident_report

pytestmark = pytest.mark.django_db


def test_an_agent_reports_updates_and_resolves_an_incident(catalog, agent):
    now = timezone.now()
    incident = incident_report(
        vendor_key="twilio", title="Voice calls dropping", integration_keys=["twilio_voice"],
        body="Calls to +44 numbers drop after 30 s.", now=now, impact="major", author=agent,
    )  # fmt: skip
    assert (incident.source, incident.external_id, incident.created_by) == ("manual", "", agent)
    incident_post(incident=incident, status="identified", body="Carrier issue.", now=now)
    assert incident.status == "identified"
    incident_post(incident=incident, status="resolved", body="Calls work again.", now=now)
    incident.refresh_from_db()
    assert incident.resolved_at == now
    assert list(incident.updates.values_list("status", flat=True)) == [
        "investigating", "identified", "resolved",
    ]  # fmt: skip
    with pytest.raises(UserError, match="already resolved"):
        incident_post(incident=incident, status="monitoring", body="", now=now)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"vendor_key": "acme"}, "unknown vendor 'acme'"),
        ({"integration_keys": ["instagram_messaging"]}, "not an integration of twilio"),
        ({"integration_keys": []}, "at least one integration"),
        ({"title": "  "}, "needs a title"),
        ({"impact": "apocalyptic"}, "unknown impact 'apocalyptic'"),
    ],
)
def test_bad_input_is_refused_with_a_message(catalog, fields, message):
    values = {
        "vendor_key": "twilio", "title": "Delays", "integration_keys": ["twilio_sms"],
        "body": "", "now": timezone.now(),
    }  # fmt: skip
    with pytest.raises(UserError, match=message):
        incident_report(**{**values, **fields})
