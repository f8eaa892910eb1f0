"""The console's monitoring board and workflow page: states, timelines, filters, the rejected
count, the signal log, versions with escaped diffs, downtime, tickets, pause/resume and
recording a version. Client users (alice, charlie) are refused everywhere."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from operant.allowance.models import EntryKind
from operant.allowance.services import time_log
from operant.monitoring.models import RejectedRequest, Workflow
from operant.monitoring.registry import workflow_version_record
from tests.web.monitoring_helpers import make_workflow, ping, run_worker
from tests.web.portal_helpers import ticket_for

pytestmark = pytest.mark.django_db

BOARD = reverse("console:monitoring")


@pytest.fixture
def workflows(client_a, client_c) -> dict[str, Workflow]:
    up = make_workflow(client_a, "Acme reminders")
    ping(up)
    down = make_workflow(client_c, "Cobalt classes", platform="n8n")
    ping(down, "fail")
    run_worker()
    return {"up": up, "down": down}


def _pages(workflow: Workflow) -> list[tuple[str, str]]:
    return [
        ("get", BOARD),
        ("get", reverse("console:workflow", args=[workflow.pk])),
        ("post", reverse("console:workflow_pause", args=[workflow.pk])),
        ("post", reverse("console:workflow_resume", args=[workflow.pk])),
        ("post", reverse("console:workflow_version", args=[workflow.pk])),
    ]


def test_client_users_are_refused_every_monitoring_page(alice_client, charlie_client, workflows):
    for http in (alice_client, charlie_client):
        for method, url in _pages(workflows["up"]):
            assert getattr(http, method)(url).status_code == 403, url
    assert Workflow.objects.get(pk=workflows["up"].pk).paused_at is None


def test_visitors_are_sent_to_sign_in(client, workflows):
    response = client.get(BOARD)
    assert response.status_code == 302
    assert response["Location"].startswith("/login")


def test_the_board_lists_every_workflow_with_state_timeline_and_rejections(agent_client, workflows):
    RejectedRequest.objects.create(at=timezone.now(), endpoint="twilio_status", reason="forged")
    html = agent_client.get(BOARD).content.decode()
    assert "Acme reminders" in html
    assert "Cobalt classes" in html
    assert 'data-state="up"' in html
    assert 'data-state="down"' in html
    assert 'class="tick tick-success"' in html
    assert 'class="tick tick-fail"' in html
    assert 'aria-label="Last 1 signal: 1 failure"' in html
    assert "1 forged or unsigned provider request refused in the last 24 hours" in html
    # Cobalt's outage ticket is linked from its row.
    ticket = Workflow.objects.get(pk=workflows["down"].pk).outage_ticket
    assert f">{ticket.ref}<" in html
    # The page polls its own results.
    assert 'hx-trigger="every 3s"' in html


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("?client=cobalt-gym", "Cobalt classes", "Acme reminders"),
        ("?platform=twilio_studio", "Acme reminders", "Cobalt classes"),
        ("?state=down", "Cobalt classes", "Acme reminders"),
    ],
)
def test_the_board_filters(agent_client, workflows, query, shown, hidden):
    html = agent_client.get(BOARD + query).content.decode()
    assert shown in html
    assert hidden not in html


def test_htmx_polling_gets_only_the_fragment(agent_client, workflows):
    response = agent_client.get(BOARD + "?state=up", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert '<section id="board"' in html
    assert "<html" not in html
    assert "Acme reminders" in html
    assert "Cobalt classes" not in html
    # The polled fragment keeps asking with the same filters.
    assert f'hx-get="{BOARD}?state=up"' in html


def test_the_workflow_page_shows_signals_versions_downtime_and_tickets(
    agent_client, agent, workflows, time_machine
):
    workflow = Workflow.objects.get(pk=workflows["down"].pk)
    workflow_version_record(
        workflow=workflow,
        logic="<script>alert(1)</script>",
        copy="Class at {time}",
        summary="first",
        author=agent,
        now=timezone.now(),
    )
    time_machine.shift(timedelta(minutes=5))
    ping(workflow)  # back up, five minutes later
    run_worker()
    html = agent_client.get(reverse("console:workflow", args=[workflow.pk])).content.decode()
    assert "Signal log" in html
    assert "2 signals, newest first" in html
    # The diff is shown, escaped: never as markup.
    assert "+logic: &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert '<td data-label="Lasted">5m</td>' in html
    assert workflow.outage_ticket.ref in html
    assert f"<code>{workflow.ping_path}</code>" in html


def test_the_signal_log_is_paged(agent_client, workflows):
    workflow = workflows["up"]
    for _ in range(55):
        ping(workflow, "log", "line")
    url = reverse("console:workflow", args=[workflow.pk])
    first = agent_client.get(url).content.decode()
    assert "page 1 of 2" in first
    second = agent_client.get(url + "?signals=2").content.decode()
    assert "page 2 of 2" in second
    assert "Heartbeat" in second


def test_an_unknown_workflow_is_404(agent_client, workflows):
    assert agent_client.get(reverse("console:workflow", args=[999999])).status_code == 404


def test_pause_needs_a_reason_then_resume(agent_client, agent, workflows):
    workflow = workflows["up"]
    pause = reverse("console:workflow_pause", args=[workflow.pk])
    refused = agent_client.post(pause, {"reason": ""})
    assert refused.status_code == 400
    assert "This field is required" in refused.content.decode()
    response = agent_client.post(pause, {"reason": "number port on Friday"})
    assert response.status_code == 302
    workflow.refresh_from_db()
    assert (workflow.state, workflow.paused_reason, workflow.paused_by) == (
        "paused",
        "number port on Friday",
        agent,
    )
    assert "number port on Friday" in agent_client.get(BOARD).content.decode()
    assert (
        agent_client.post(reverse("console:workflow_resume", args=[workflow.pk])).status_code == 302
    )
    workflow.refresh_from_db()
    assert workflow.state == "up"
    again = agent_client.post(reverse("console:workflow_resume", args=[workflow.pk]))
    assert again.status_code == 400
    assert "is not paused" in again.content.decode()


def test_pause_and_versions_need_a_post_with_the_csrf_token(agent, workflows):
    from django.test import Client as HttpClient

    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(agent)
    pause = reverse("console:workflow_pause", args=[workflows["up"].pk])
    assert http.get(pause).status_code == 405
    assert http.post(pause, {"reason": "x"}).status_code == 403
    assert Workflow.objects.get(pk=workflows["up"].pk).paused_at is None


def test_recording_a_version_from_a_minor_adjustment(agent_client, agent, client_a, workflows):
    workflow = workflows["up"]
    ticket = ticket_for(client_a, "Move reminders to 10am")
    entry = time_log(
        ticket=ticket, agent=agent, minutes=30, kind=EntryKind.ADJUSTMENT, now=timezone.now()
    )
    url = reverse("console:workflow_version", args=[workflow.pk])
    page = agent_client.get(reverse("console:workflow", args=[workflow.pk])).content.decode()
    assert f'<option value="{entry.pk}">{ticket.ref} · 30 min' in page
    response = agent_client.post(
        url,
        {"logic": "send at 10", "copy": "See you!", "summary": "10am", "time_entry": entry.pk},
    )
    assert response.status_code == 302
    version = workflow.versions.get()
    assert (version.time_entry, version.ticket, version.author) == (entry, ticket, agent)
    # The same text again is refused by the registry, shown on the form with the text kept.
    again = agent_client.post(url, {"logic": "send at 10", "copy": "See you!"})
    assert again.status_code == 400
    html = again.content.decode()
    assert "nothing changed since the current version" in html
    assert "send at 10</textarea>" in html


def test_a_version_refuses_another_clients_ticket(agent_client, client_c, workflows):
    other = ticket_for(client_c)
    url = reverse("console:workflow_version", args=[workflows["up"].pk])
    response = agent_client.post(url, {"logic": "x", "ticket": other.ref})
    assert response.status_code == 400
    assert "is not a ticket of Acme Dental" in response.content.decode()
    response = agent_client.post(url, {"logic": "x", "ticket": "OPR-999999"})
    assert "no ticket OPR-999999" in response.content.decode()
    assert not workflows["up"].versions.exists()


def test_the_client_page_lists_its_workflows(agent_client, client_a, workflows):
    html = agent_client.get(reverse("console:client", args=[client_a.slug])).content.decode()
    assert "Acme reminders" in html
    assert 'data-state="up"' in html
    assert "Cobalt classes" not in html


def test_the_console_nav_links_the_board(agent_client):
    html = agent_client.get(reverse("console:dashboard")).content.decode()
    assert f'href="{BOARD}"' in html
