"""Pings read their workflow without a lock: a row changed between the read and the write is
decided again on the row as it is then, and no ping's facts or flips are lost or doubled."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection

from operant.core.rows import instance_get
from operant.monitoring.health import assess
from operant.monitoring.models import Signal, SignalKind, Workflow
from operant.monitoring.pings import Ping, ping_record
from operant.monitoring.transitions import APPLY_FIELDS, workflow_apply
from tests.allowance.test_concurrency import WAIT, in_thread

T0 = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_a_stale_read_is_decided_again_on_the_row_as_written(
    make_workflow: Callable[..., Workflow],
) -> None:
    workflow = make_workflow(now=T0)
    ping_record(code=workflow.code, ping=Ping(kind=SignalKind.SUCCESS), now=T0)
    stale = instance_get(Workflow, APPLY_FIELDS, by="code", value=workflow.code)
    assert stale is not None
    assert stale.state == "up"
    # Meanwhile another process records a failed run: the row goes down.
    ping_record(code=workflow.code, ping=Ping(kind=SignalKind.FAIL), now=T0 + timedelta(seconds=1))

    later = T0 + timedelta(seconds=2)
    flip = workflow_apply(workflow=stale, now=later, changes={"last_signal_at": later})

    row = Workflow.objects.get(pk=workflow.pk)
    assert flip is None  # down already: the stale "up" did not flip it back or down again
    assert (row.state, row.last_signal_at, row.last_ping_failed) == ("down", later, True)
    assert (stale.state, stale.last_ping_failed) == ("down", True)
    assert list(row.flips.values_list("new_state", flat=True).order_by("pk")) == ["up", "down"]


@pytest.mark.django_db
def test_a_workflow_deleted_meanwhile_is_left_alone(make_workflow: Callable[..., Workflow]) -> None:
    workflow = make_workflow(now=T0)
    stale = instance_get(Workflow, APPLY_FIELDS, by="code", value=workflow.code)
    assert stale is not None
    Workflow.objects.filter(pk=workflow.pk).delete()
    with pytest.raises(Workflow.DoesNotExist):
        workflow_apply(workflow=stale, now=T0, changes={"last_signal_at": T0})
    assert not Workflow.objects.filter(pk=workflow.pk).exists()


THREADS = 4
PINGS = 60  # each thread's; kinds cycle so the state keeps changing
KINDS = (SignalKind.START, SignalKind.SUCCESS, SignalKind.FAIL, SignalKind.SUCCESS)


def _at(thread: int, n: int) -> datetime:
    # Every ping within one second of T0 (the schedule, an hour, plays no part), all distinct.
    return T0 + timedelta(microseconds=(n * THREADS + thread) * 1000)


def _pinger(code: Any, offset: int, start: threading.Barrier) -> int:
    start.wait(WAIT)
    for n in range(PINGS):
        now = _at(offset, n)
        assert ping_record(code=code, ping=Ping(kind=KINDS[(n + offset) % 4]), now=now)
    return PINGS


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row races are PostgreSQL's; SQLite serializes"
)
def test_concurrent_pings_lose_no_facts_and_no_flips(
    make_workflow: Callable[..., Workflow],
) -> None:
    workflow = make_workflow(now=T0)
    start = threading.Barrier(THREADS)
    results: dict[str, Any] = {}
    threads = [
        in_thread(str(n), results, lambda n=n: _pinger(workflow.code, n, start))
        for n in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 10)
    assert results == {str(n): PINGS for n in range(THREADS)}, results

    assert Signal.objects.filter(workflow=workflow).count() == THREADS * PINGS
    row = Workflow.objects.get(pk=workflow.pk)
    # Each thread's pings are written in turn, so whichever write came last, it is some
    # thread's last ping: a ping whose write was dropped on a lost race could leave another.
    assert row.last_signal_at in {_at(thread, PINGS - 1) for thread in range(THREADS)}
    # The state stored is the one assess gives for the facts stored with it...
    verdict = assess(row, T0 + timedelta(seconds=1))
    assert (row.state, row.state_reason) == (verdict.state, verdict.reason)
    # ...and the flips are one unbroken chain from "new" to it: none lost, none doubled.
    chain = list(row.flips.order_by("pk").values_list("old_state", "new_state"))
    assert chain, "the pings changed the state"
    assert chain[0][0] == "new"
    assert chain[-1][1] == row.state
    assert all(before[1] == after[0] for before, after in itertools.pairwise(chain))
    assert all(old != new for old, new in chain)
