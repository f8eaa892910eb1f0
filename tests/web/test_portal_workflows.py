"""Portal: the client's own workflows with their status and downtime, each workflow's recorded
changes, and on the allowance page what each minor adjustment bought. Charlie sees nothing of
Alice's, and agents are refused the portal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from operant.allowance.models import EntryKind
from operant.allowance.services import time_log
from operant.monitoring.models import Workflow
from operant.monitoring.registry import workflow_version_record
from tests.web.monitoring_helpers import make_workflow, ping, run_worker
from tests.web.portal_helpers import ticket_for

pytestmark = pytest.mark.django_db

LIST = reverse("portal:workflows")
ALLOWANCE = reverse("portal:allowance")


@pytest.fixture
def acme(client_a, agent, time_machine) -> Workflow:
    """Acme's workflow: down for 7 minutes, then back; v1 made from a 30-minute adjustment."""
    workflow = make_workflow(client_a, "Acme reminders")
    ping(workflow, "fail")
    run_worker()
    time_machine.shift(timedelta(minutes=7))
    ping(workflow)
    run_worker()
    ticket = ticket_for(client_a, "Move reminders to 10am")
    entry = time_log(
        ticket=ticket, agent=agent, minutes=30, kind=EntryKind.ADJUSTMENT, now=timezone.now()
    )
    workflow_version_record(
        workflow=workflow,
        logic="send at 10",
        copy="See you <b>soon</b>",
        summary="Reminders at 10am",
        time_entry=entry,
        author=agent,
        now=timezone.now(),
    )
    return Workflow.objects.get(pk=workflow.pk)


@pytest.fixture
def cobalt(client_c) -> Workflow:
    return make_workflow(client_c, "Cobalt classes")


def test_the_list_shows_state_last_signal_and_recent_downtime(alice_client, acme, cobalt):
    html = alice_client.get(LIST).content.decode()
    assert "Acme reminders" in html
    assert 'data-state="up"' in html
    assert "7m" in html  # the downtime's length
    assert 'class="tick tick-fail"' in html
    assert "Cobalt classes" not in html


def test_the_workflow_page_shows_changes_and_the_minutes_behind_them(alice_client, acme):
    html = alice_client.get(reverse("portal:workflow", args=[acme.pk])).content.decode()
    assert "v1" in html
    assert "Reminders at 10am" in html
    assert "30 minutes of your adjustment allowance" in html
    assert "+copy: See you &lt;b&gt;soon&lt;/b&gt;" in html
    assert f"<code>{acme.ping_path}</code>" in html  # their own ping URL
    assert "7m" in html


def test_the_allowance_page_says_what_the_minutes_bought(alice_client, acme):
    html = alice_client.get(ALLOWANCE).content.decode()
    assert "What this month's minutes bought" in html
    assert "<strong>30 min</strong>" in html
    assert "Acme reminders v1</a> (Reminders at 10am)" in html


def test_charlie_sees_nothing_of_acmes(charlie_client, acme, cobalt):
    assert charlie_client.get(reverse("portal:workflow", args=[acme.pk])).status_code == 404
    for url in (LIST, ALLOWANCE, reverse("portal:workflow", args=[cobalt.pk])):
        html = charlie_client.get(url).content.decode()
        assert "Acme" not in html
        assert str(acme.code) not in html
    assert "Cobalt classes" in charlie_client.get(LIST).content.decode()


def test_agents_are_refused_the_portal_pages(agent_client, acme):
    for url in (LIST, reverse("portal:workflow", args=[acme.pk])):
        assert agent_client.get(url).status_code == 403


def test_an_unknown_workflow_is_404(alice_client, acme):
    assert alice_client.get(reverse("portal:workflow", args=[999999])).status_code == 404
