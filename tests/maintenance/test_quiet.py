"""During a window, monitoring's alerts about the workflows it covers are quiet; outside it,
and for workflows it does not cover, they are not; after it, a workflow still down alerts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from operant.desk.models import Ticket
from operant.maintenance.quiet import maintenance_quiet_reason
from operant.monitoring.models import Flip, Workflow
from operant.notify.models import Notification
from tests.maintenance.conftest import run_jobs

pytestmark = pytest.mark.django_db
# The window: 18:00-19:00 UTC on the pinned day (an hour after the tests' now).
START = datetime(2026, 12, 1, 18, tzinfo=UTC)
END = START + timedelta(hours=1)


@pytest.fixture
def window(add_window, workflow: Workflow, operator):  # type: ignore[no-untyped-def]
    return add_window(
        start=START, end=END, workflow_ids=[workflow.pk], reason="Twilio number migration"
    )


def alerts() -> int:
    return Notification.objects.filter(kind="monitoring.alert").count()


def fail_at(client, time_machine, workflow: Workflow, instant: datetime) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(instant, tick=False)
    client.post(f"{workflow.ping_path}/fail")
    run_jobs(instant)


def test_a_workflow_going_down_inside_the_window_alerts_nobody(
    client, time_machine, workflow, window
):
    fail_at(client, time_machine, workflow, START + timedelta(minutes=10))
    flip = Flip.objects.get()
    assert flip.outcome.startswith("quiet: planned maintenance 'Database upgrade' until")
    assert not Ticket.objects.exists()
    assert alerts() == 0


def test_a_workflow_going_down_before_the_window_alerts(client, time_machine, workflow, window):
    fail_at(client, time_machine, workflow, START - timedelta(minutes=1))
    assert Flip.objects.get().outcome == "alerted"
    assert Ticket.objects.count() == 1
    assert alerts() == 1


def test_a_workflow_going_down_after_the_window_alerts(client, time_machine, workflow, window):
    fail_at(client, time_machine, workflow, END)
    assert Flip.objects.get().outcome == "alerted"
    assert alerts() == 1


def test_a_workflow_the_window_does_not_cover_alerts_inside_it(
    client, time_machine, make_workflow, window
):
    other = make_workflow(name="Review requests")
    fail_at(client, time_machine, other, START + timedelta(minutes=10))
    assert Flip.objects.get(workflow=other).outcome == "alerted"
    assert alerts() == 1


def test_a_workflow_still_down_when_the_window_ends_is_looked_at_again_and_alerts(
    client, time_machine, workflow, window
):
    fail_at(client, time_machine, workflow, START + timedelta(minutes=10))
    assert alerts() == 0
    run_jobs(END - timedelta(seconds=1))
    assert alerts() == 0
    time_machine.move_to(END, tick=False)
    run_jobs(END)
    assert alerts() == 1
    assert Ticket.objects.count() == 1
    run_jobs(END + timedelta(minutes=1))  # looked at once per occurrence
    assert alerts() == 1


def test_a_workflow_back_up_by_the_end_of_the_window_stays_quiet(
    client, time_machine, workflow, window
):
    fail_at(client, time_machine, workflow, START + timedelta(minutes=10))
    time_machine.move_to(START + timedelta(minutes=20), tick=False)
    client.post(workflow.ping_path)
    run_jobs(START + timedelta(minutes=20))
    run_jobs(END)
    assert alerts() == 0
    assert not Ticket.objects.exists()


def test_everything_scope_covers_every_workflow_only_while_on(add_window, workflow):
    add_window(start=START, end=END, reason="platform upgrade")
    assert maintenance_quiet_reason(workflow, START - timedelta(seconds=1)) is None
    assert maintenance_quiet_reason(workflow, START) is not None
    assert maintenance_quiet_reason(workflow, END) is None
