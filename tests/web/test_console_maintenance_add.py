"""Console: scheduling maintenance from /console/maintenance/ through the service the CLI uses.
A refusal (end before start, short notice without a reason, a bad RRULE, a scope with nothing
in it) is shown on the form with the message, what was typed kept, and nothing stored."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from operant.accounts.models import Client
from operant.maintenance.models import Scope, Window

pytestmark = pytest.mark.django_db

PAGE = reverse("console:maintenance")
ADD = reverse("console:maintenance_add")


def typed(**changes: object) -> dict[str, object]:
    """The form as an agent fills it in: ten days ahead (the clock is pinned to 1 Dec 2026),
    wall-clock times in New York, for everything."""
    form: dict[str, object] = {
        "title": "Database upgrade",
        "start": "2026-12-11T02:00",
        "end": "2026-12-11T04:00",
        "zone": "America/New_York",
        "rrule": "",
        "scope": "everything",
        "clients": "",
        "reason": "",
    }
    form.update(changes)
    return form


def refused(agent_client, form: dict[str, object]) -> str:
    response = agent_client.post(ADD, form)
    assert response.status_code == 400
    assert not Window.objects.exists()
    return response.content.decode()


def test_a_window_is_scheduled_on_the_zones_wall_clock_and_listed(agent_client, agent, catalog):
    response = agent_client.post(ADD, typed())
    assert response.status_code == 302
    assert response["Location"] == PAGE
    window = Window.objects.get()
    # 02:00 in New York in December is 07:00 UTC (EST).
    assert window.first_start == datetime(2026, 12, 11, 7, 0, tzinfo=UTC)
    assert window.duration_seconds == 2 * 3600
    assert (window.scope, window.short_notice, window.created_by) == (
        Scope.EVERYTHING,
        False,
        agent,
    )
    html = agent_client.get(PAGE).content.decode()
    assert "Maintenance scheduled: Database upgrade." in html
    assert f'data-window="{window.pk}"' in html


def test_a_recurring_window_for_some_integrations(agent_client, catalog):
    form = typed(rrule="FREQ=WEEKLY;COUNT=3", scope="integrations", integrations=["twilio_voice"])
    assert agent_client.post(ADD, form).status_code == 302
    window = Window.objects.get()
    assert window.scope == Scope.INTEGRATIONS
    assert list(window.integrations.values_list("key", flat=True)) == ["twilio_voice"]
    assert window.occurrences.count() == 3


def test_a_window_for_some_clients(agent_client, client_a: Client, client_c: Client):
    form = typed(scope="clients", clients=f"{client_a.slug}, {client_c.slug}")
    assert agent_client.post(ADD, form).status_code == 302
    window = Window.objects.get()
    assert set(window.clients.all()) == {client_a, client_c}


def test_an_end_before_the_start_is_refused(agent_client, catalog):
    html = refused(agent_client, typed(end="2026-12-11T01:00"))
    assert "before it starts" in html
    assert 'value="Database upgrade"' in html  # what was typed is kept
    assert '<details class="card" id="schedule" open>' in html


def test_short_notice_needs_a_reason_then_is_marked(agent_client, catalog):
    soon = typed(start="2026-12-01T15:00", end="2026-12-01T16:00")  # in 3 hours
    html = refused(agent_client, soon)
    assert "give the reason clients will read" in html

    soon["reason"] = "A security fix that cannot wait."
    assert agent_client.post(ADD, soon).status_code == 302
    window = Window.objects.get()
    assert window.short_notice
    assert window.short_notice_reason == "A security fix that cannot wait."
    html = agent_client.get(PAGE).content.decode()
    assert "short notice: clients read your reason" in html


def test_a_bad_rrule_is_refused(agent_client, catalog):
    html = refused(agent_client, typed(rrule="FREQ=HOURLY"))
    assert "RRULE FREQ must be one of DAILY, WEEKLY, MONTHLY, YEARLY, got HOURLY" in html


def test_an_unknown_time_zone_is_refused(agent_client, catalog):
    html = refused(agent_client, typed(zone="Mars/Olympus"))
    assert "unknown time zone &#x27;Mars/Olympus&#x27;" in html


def test_an_unknown_client_is_refused(agent_client, client_a):
    html = refused(agent_client, typed(scope="clients", clients=f"{client_a.slug} nobody"))
    assert "no client with slug &#x27;nobody&#x27;" in html


def test_a_scope_of_integrations_needs_one_chosen(agent_client, catalog):
    html = refused(agent_client, typed(scope="integrations"))
    assert "Choose at least one integration" in html


def test_client_users_cannot_schedule(alice_client):
    assert alice_client.post(ADD, typed()).status_code == 403
    assert not Window.objects.exists()
