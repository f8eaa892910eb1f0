"""Two workers at once over a few thousand transitions: each flip written once, each alert
and each outage ticket exactly once.

PostgreSQL only: SQLite serializes every write transaction (BEGIN IMMEDIATE), so it has no
race to lose; PostgreSQL runs both workers' statements at the same time.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection

from operant.desk.models import Ticket
from operant.monitoring.jobs import flips_process_due, workflows_process_due
from operant.monitoring.models import Flip, ScheduleKind, Workflow
from operant.notify.models import Notification
from tests.allowance.test_concurrency import WAIT, in_thread

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row races are PostgreSQL's; SQLite serializes"
    ),
]
WORKFLOWS = 1000
T0 = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)  # 09:00 in New York


def _seed(client: Any) -> None:
    Workflow.objects.bulk_create(
        Workflow(
            client=client,
            name=f"flow {n:04d}",
            platform="custom",
            created_at=T0,
            updated_at=T0,
            schedule_kind=ScheduleKind.SIMPLE,
            period_seconds=60,
            grace_seconds=60,
            state="up",
            last_ping_at=T0,
            last_signal_at=T0,
            due_at=T0 + timedelta(seconds=60),
        )
        for n in range(WORKFLOWS)
    )


def _drain(now: datetime, start: threading.Barrier) -> int:
    """One worker: pass over both jobs until a pass finds nothing."""
    start.wait(WAIT)
    handled = 0
    while True:
        done = workflows_process_due(now=now) + flips_process_due(now=now)
        if not done:
            return handled
        handled += done


def _two_workers(now: datetime) -> dict[str, Any]:
    start = threading.Barrier(2)
    results: dict[str, Any] = {}
    threads = [in_thread(name, results, lambda: _drain(now, start)) for name in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 10)
    for name in ("A", "B"):
        assert not isinstance(results[name], Exception), results[name]
    return results


def test_two_workers_write_each_flip_and_send_each_alert_once(client_a, operator) -> None:  # type: ignore[no-untyped-def]
    _seed(client_a)
    late = _two_workers(T0 + timedelta(seconds=61))
    assert Workflow.objects.filter(state="late").count() == WORKFLOWS
    down = _two_workers(T0 + timedelta(seconds=121))
    assert Workflow.objects.filter(state="down").count() == WORKFLOWS
    # Both workers did part of the work (the race was real), and together all of it once.
    assert all(late[name] > 0 for name in "AB") or all(down[name] > 0 for name in "AB")

    flips = Counter(Flip.objects.values_list("new_state", flat=True))
    assert flips == {"late": WORKFLOWS, "down": WORKFLOWS}
    assert not Flip.objects.filter(processed_at=None).exists()
    assert Ticket.objects.filter(source="monitoring").count() == WORKFLOWS
    assert Workflow.objects.filter(outage_ticket=None).count() == 0
    alerts = Counter(
        Notification.objects.filter(kind="monitoring.alert").values_list("subject", flat=True)
    )
    assert len(alerts) == WORKFLOWS
    assert set(alerts.values()) == {1}
    acks = Notification.objects.filter(kind="desk.acknowledgement").count()
    assert acks == WORKFLOWS
