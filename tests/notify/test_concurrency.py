"""Two workers alerting about the same occasion at once queue each person's channel once.

PostgreSQL only: SQLite serializes writers (BEGIN IMMEDIATE), and its in-memory test database
is not for threads.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection, transaction

from operant.notify.alerts import alert_channels_set, person_alert_queue
from operant.notify.models import Channel, Notification
from tests.allowance.test_concurrency import WAIT, in_thread
from tests.waiting import wait_until

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite serializes"
    ),
]
NOW = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)


def someone_waits_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def test_the_second_worker_waits_for_the_first_and_queues_nothing(agent):
    """Worker A queues the alert inside its transaction and holds still before committing;
    worker B queues the same occasion meanwhile: B waits on the unique key, then finds A's rows
    and adds none."""
    alert_channels_set(
        user_id=agent.pk,
        email=True,
        sms=True,
        phone="+14155550123",
        chat=False,
        chat_webhook_url="",
        now=NOW,
    )
    queued_by_a, release_a = threading.Event(), threading.Event()
    results: dict[str, Any] = {}

    def alert() -> list[Notification]:
        return person_alert_queue(
            user_ids=[agent.pk],
            kind="monitoring.down",
            subject="Down",
            text="No ping.",
            dedupe_key="monitoring.down:flip:1",
            now=NOW,
        )

    def worker_a() -> list[Notification]:
        with transaction.atomic():
            queued = alert()
            queued_by_a.set()
            assert release_a.wait(WAIT)
        return queued

    a = in_thread("A", results, worker_a)
    a.start()
    assert queued_by_a.wait(WAIT)
    b = in_thread("B", results, alert)
    b.start()
    wait_until(someone_waits_on_a_lock, timeout=WAIT, what="worker B to wait on A's rows")
    release_a.set()
    a.join(WAIT)
    b.join(WAIT)
    assert sorted(n.channel for n in results["A"]) == [Channel.EMAIL, Channel.SMS]
    assert results["B"] == []
    assert Notification.objects.count() == 2
