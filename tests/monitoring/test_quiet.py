"""Quiet on purpose: a paused workflow, or one a registered check (planned maintenance)
silences, alerts nobody; its downtime is still recorded."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import timezone

from operant.desk.models import Ticket
from operant.desk.services import ticket_set_state
from operant.monitoring import quiet
from operant.monitoring.control import workflow_pause
from operant.monitoring.models import Downtime, Flip, Workflow
from operant.notify.models import Notification
from tests.monitoring.conftest import run_worker


@pytest.fixture
def maintenance_window() -> Iterator[None]:
    def in_window(workflow: Workflow, now: object) -> str | None:
        return (
            "planned maintenance until 18:00" if workflow.name.startswith("Appointment") else None
        )

    quiet.register_quiet_check(in_window)
    yield
    quiet._quiet_checks.remove(in_window)


def test_a_registered_quiet_check_suppresses_alerts_but_keeps_the_downtime(
    client,
    workflow: Workflow,
    operator,
    maintenance_window,  # type: ignore[no-untyped-def]
) -> None:
    client.post(f"{workflow.ping_path}/fail")
    run_worker(timezone.now())
    assert Flip.objects.get().outcome == "quiet: planned maintenance until 18:00"
    assert not Ticket.objects.exists()
    assert not Notification.objects.exists()
    assert Downtime.objects.get().ended_at is None


def test_a_paused_workflow_alerts_nobody(client, workflow: Workflow, operator, agent) -> None:  # type: ignore[no-untyped-def]
    workflow_pause(
        workflow=workflow, reason="number port in progress", actor=agent, now=timezone.now()
    )
    client.post(f"{workflow.ping_path}/fail")
    run_worker(timezone.now())
    workflow.refresh_from_db()
    assert workflow.state == "paused"
    assert not Ticket.objects.exists()
    assert not Notification.objects.filter(kind="monitoring.alert").exists()


def test_a_new_outage_after_the_ticket_was_solved_opens_a_new_ticket(
    client,
    workflow: Workflow,
    operator,
    agent,  # type: ignore[no-untyped-def]
) -> None:
    client.post(f"{workflow.ping_path}/fail")
    run_worker(timezone.now())
    first = Ticket.objects.get()
    client.post(workflow.ping_path)
    run_worker(timezone.now())
    ticket_set_state(ticket=first, state="solved", actor=agent, now=timezone.now())
    client.post(f"{workflow.ping_path}/fail")
    run_worker(timezone.now())
    assert Ticket.objects.count() == 2
    workflow.refresh_from_db()
    assert workflow.outage_ticket_id != first.pk
