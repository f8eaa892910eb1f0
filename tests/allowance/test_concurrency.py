"""Two agents charging the same month at the same moment can never overdraw it together.

PostgreSQL only: SQLite has no row locks to test (every write transaction there begins with
BEGIN IMMEDIATE and waits its turn), and its in-memory test database is not for threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from operant.allowance import services
from operant.allowance.errors import Overdraft
from operant.allowance.ledger import allowance_balance
from operant.allowance.models import AllowanceMonth, EntryKind, TimeEntry
from operant.allowance.rows import month_row_ensure
from tests.allowance.conftest import DECEMBER, MID_DECEMBER
from tests.waiting import wait_until

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite serializes"
    ),
]
WAIT = 30  # seconds a thread waits for the other before the test gives up (never expected)


def in_thread(name: str, results: dict[str, Any], work: Callable[[], Any]) -> threading.Thread:
    def run() -> None:
        try:
            results[name] = work()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread met
            results[name] = exc
        finally:
            connections.close_all()

    return threading.Thread(target=run, name=name)


def someone_waits_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.parametrize("row_exists", [True, False], ids=["month-row-exists", "first-charge"])
def test_the_second_agent_waits_for_the_first_and_is_refused(
    ticket, agent, monkeypatch, row_exists
):
    """Agent A checks the allowance, inserts 20 minutes and, before committing, holds still.
    Agent B asks for 20 minutes meanwhile: B must wait on the month's lock (on the row, or on
    the unique constraint when A is creating it), then see A's entry and be refused."""
    if row_exists:
        month_row_ensure(client=ticket.client, month=DECEMBER)
    a_inserted, release_a = threading.Event(), threading.Event()
    notify = services.allowance_notices_send

    def holding_notify(**kwargs: Any) -> Any:
        if threading.current_thread().name == "A":
            a_inserted.set()
            assert release_a.wait(WAIT)
        return notify(**kwargs)

    monkeypatch.setattr(services, "allowance_notices_send", holding_notify)

    def charge() -> Any:
        return services.time_log(
            ticket=ticket, agent=agent, minutes=20, kind=EntryKind.ADJUSTMENT, now=MID_DECEMBER
        )

    results: dict[str, Any] = {}
    a = in_thread("A", results, charge)
    b = in_thread("B", results, charge)
    a.start()
    assert a_inserted.wait(WAIT)
    b.start()
    try:
        wait_until(
            someone_waits_on_a_lock, timeout=WAIT, what="agent B to wait on the month's lock"
        )
    finally:
        release_a.set()
        a.join(WAIT)
        b.join(WAIT)
    assert isinstance(results["A"], TimeEntry)
    assert isinstance(results["B"], Overdraft), results["B"]
    assert results["B"].remaining == 10
    assert allowance_balance(client=ticket.client, month=DECEMBER).used_minutes == 20
    assert AllowanceMonth.objects.filter(client=ticket.client, month=DECEMBER).count() == 1


def test_many_agents_at_once_never_overdraw(ticket, agent):
    """Six agents ask for 10 minutes each at the same instant: exactly three fit."""
    barrier = threading.Barrier(6)
    results: dict[str, Any] = {}

    def charge() -> Any:
        barrier.wait(WAIT)
        return services.time_log(
            ticket=ticket, agent=agent, minutes=10, kind=EntryKind.ADJUSTMENT, now=MID_DECEMBER
        )

    threads = [in_thread(f"agent-{n}", results, charge) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    outcomes = sorted(type(result).__name__ for result in results.values())
    assert outcomes == ["Overdraft"] * 3 + ["TimeEntry"] * 3, results
    assert allowance_balance(client=ticket.client, month=DECEMBER).used_minutes == 30
