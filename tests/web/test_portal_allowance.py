"""Portal: this month's allowance gauge and the last twelve months."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.web.portal_helpers import log_adjustment, ticket_for

pytestmark = pytest.mark.django_db

URL = reverse("portal:allowance")


def test_shows_used_and_remaining_minutes_with_an_accessible_gauge(alice_client, client_a, agent):
    log_adjustment(ticket_for(client_a), agent, 12)
    html = alice_client.get(URL).content.decode()
    assert 'role="meter"' in html
    assert 'aria-valuenow="12"' in html
    assert "12 of 30 minutes used" in html
    assert "18 minutes remaining" in html
    assert '<rect width="40"' in html


def test_history_has_twelve_months(alice_client, client_a):
    from datetime import timedelta

    client_a.created_at -= timedelta(days=800)  # a client of two years' standing
    client_a.save(update_fields=["created_at"])
    response = alice_client.get(URL)
    assert len(response.context["history"]) == 12
    assert response.content.decode().count('data-label="Month"') == 12


def test_history_starts_with_the_month_the_client_joined(alice_client):
    # The fixture's client joined this month: no earlier months to show.
    response = alice_client.get(URL)
    assert len(response.context["history"]) == 1


def test_another_clients_minutes_never_show(charlie_client, client_a, agent):
    log_adjustment(ticket_for(client_a), agent, 25)
    html = charlie_client.get(URL).content.decode()
    assert "0 of" in html
    assert "25 of" not in html
    assert "Acme Dental" not in html


def test_agents_are_refused(agent_client):
    assert agent_client.get(URL).status_code == 403
