"""Provider signals arriving at once on PostgreSQL: a callback delivered twice concurrently
is applied once, and concurrent callbacks of one workflow lose no outcome and no fact.

PostgreSQL only: SQLite has no row locks to test (every write transaction there begins with
BEGIN IMMEDIATE and waits its turn), and its in-memory test database is not for threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone

from operant.monitoring.models import MessageOutcomes, Signal, Workflow
from operant.monitoring.providers.signing import twilio_signer
from operant.monitoring.providers.twilio_status import (
    Outcome,
    StatusCallback,
    twilio_status_record,
)
from tests.monitoring.signed import ACCOUNT_SID, SENDER, message_sid

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite serializes"
    ),
]
WAIT = 30  # seconds a thread waits for the others (never expected)


def at_once(work: list[Callable[[], Any]]) -> list[Any]:
    """Run each piece of work in its own thread, released together; their results (or the
    exception each met)."""
    results: list[Any] = [None] * len(work)
    start = threading.Barrier(len(work))

    def run(n: int) -> None:
        try:
            start.wait(timeout=WAIT)
            results[n] = work[n]()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread met
            results[n] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT * 2)
    return results


def record(n: int, status: str, error_code: str = "") -> Callable[[], Outcome]:
    def work() -> Outcome:
        signer = twilio_signer(ACCOUNT_SID)
        assert signer is not None
        callback = StatusCallback(
            message_sid=message_sid(n), status=status, sender=SENDER, error_code=error_code
        )
        return twilio_status_record(signer=signer, callback=callback, now=timezone.now())

    return work


def test_the_same_callback_delivered_four_times_at_once_is_applied_once(
    sms_workflow: Workflow,
) -> None:
    results = at_once([record(1, "failed", "30007") for _ in range(4)])
    assert sorted(r.value for r in results) == ["recorded", "replay", "replay", "replay"], results
    assert Signal.objects.count() == 1
    assert MessageOutcomes.objects.get().failed == 1


def test_concurrent_callbacks_of_one_workflow_lose_nothing(sms_workflow: Workflow) -> None:
    work = [record(n, "delivered") for n in range(6)]
    work += [record(n, "failed", "30003") for n in range(6, 12)]  # 6 of 12: over 25%
    results = at_once(work)
    assert all(r is Outcome.RECORDED for r in results), results
    row = MessageOutcomes.objects.get()
    assert (row.delivered, row.failed) == (6, 6)
    sms_workflow.refresh_from_db()
    # Whatever the order, the last one applied saw every outcome (the row lock queues them).
    assert sms_workflow.state == "down"
    assert sms_workflow.state_reason.startswith("6 of 12 messages failed")
    assert sms_workflow.last_event_at in set(Signal.objects.values_list("at", flat=True))
