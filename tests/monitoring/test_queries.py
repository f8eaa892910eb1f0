"""Read-side queries of the pages: each workflow's latest signals in two queries, the board in
a fixed number of queries, and a version's link to the minor adjustment that produced it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from operant.allowance.models import EntryKind
from operant.allowance.services import time_entry_delete, time_log
from operant.monitoring.errors import MonitoringError
from operant.monitoring.models import Signal, SignalKind, SignalSource, Workflow
from operant.monitoring.queries import recent_signals, workflows_matching
from operant.monitoring.registry import workflow_version_record
from tests.web.portal_helpers import ticket_for


def _signals(workflow: Workflow, count: int, kind: str = SignalKind.SUCCESS) -> None:
    start = timezone.now() - timedelta(hours=1)
    Signal.objects.bulk_create(
        Signal(
            workflow=workflow,
            at=start + timedelta(seconds=i),
            source=SignalSource.PING,
            kind=kind,
            body=str(i),
        )
        for i in range(count)
    )


def test_recent_signals_are_each_workflows_latest_oldest_first_in_two_queries(
    make_workflow: Callable[..., Workflow],
) -> None:
    busy = make_workflow(name="Busy")
    quiet = make_workflow(name="Quiet")
    silent = make_workflow(name="Silent")
    _signals(busy, 25)
    _signals(quiet, 3, SignalKind.FAIL)
    with CaptureQueriesContext(connection) as queries:
        found = recent_signals([busy, quiet, silent], count=20)
    assert len(queries) == 2
    assert [int(s.body) for s in found[busy.pk]] == list(range(5, 25))
    assert [s.kind for s in found[quiet.pk]] == ["fail"] * 3
    assert found[silent.pk] == []


def test_the_board_rows_cost_the_same_queries_for_few_and_many(
    make_workflow: Callable[..., Workflow],
) -> None:
    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            rows = list(workflows_matching())
            recent_signals(rows)
            for workflow in rows:
                # What a row reads: its client, integrations, identifiers and outage ticket.
                _ = (
                    workflow.client.name,
                    list(workflow.integrations.all()),
                    workflow.outage_ticket,
                )
                _ = list(workflow.identifiers.all())
        return len(queries)

    for index in range(2):
        _signals(make_workflow(name=f"W{index}"), 3)
    few = cost()
    for index in range(2, 12):
        _signals(make_workflow(name=f"W{index}"), 3)
    assert cost() == few


@pytest.fixture
def adjustment(client_a, agent):  # type: ignore[no-untyped-def]
    ticket = ticket_for(client_a, "Change the reminder copy")
    return time_log(
        ticket=ticket, agent=agent, minutes=30, kind=EntryKind.ADJUSTMENT, now=timezone.now()
    )


def test_a_version_from_a_time_entry_takes_its_ticket(workflow: Workflow, adjustment) -> None:  # type: ignore[no-untyped-def]
    version = workflow_version_record(
        workflow=workflow, logic="v1", copy="", time_entry=adjustment, now=timezone.now()
    )
    assert version.ticket == adjustment.ticket
    assert list(adjustment.workflow_versions.all()) == [version]


def test_a_version_refuses_a_time_entry_of_another_ticket_or_a_removed_one(
    workflow: Workflow, adjustment, client_a, agent
) -> None:  # type: ignore[no-untyped-def]
    other = ticket_for(client_a, "Another request")
    with pytest.raises(MonitoringError, match="logged on another ticket than"):
        workflow_version_record(
            workflow=workflow,
            logic="v1",
            copy="",
            ticket=other,
            time_entry=adjustment,
            now=timezone.now(),
        )
    time_entry_delete(entry=adjustment, actor=agent, now=timezone.now())
    adjustment.refresh_from_db()
    with pytest.raises(MonitoringError, match="that time entry was removed"):
        workflow_version_record(
            workflow=workflow, logic="v1", copy="", time_entry=adjustment, now=timezone.now()
        )
    assert not workflow.versions.exists()


def test_the_board_lists_what_needs_a_look_first(make_workflow, client) -> None:  # type: ignore[no-untyped-def]
    from operant.monitoring.queries import workflow_rows

    up = make_workflow(name="A up")
    down = make_workflow(name="B down")
    fresh = make_workflow(name="C new")
    client.post(up.ping_path)
    client.post(f"{down.ping_path}/fail")
    assert [w.name for w in workflow_rows()] == [down.name, up.name, fresh.name]
