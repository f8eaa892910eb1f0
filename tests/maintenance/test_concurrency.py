"""Two workers due at the same instant: one sends the occurrence's notices, the other skips
the row it holds (SKIP LOCKED) instead of waiting, and no client is told twice.

PostgreSQL only: SQLite has no row locks (every write transaction waits its turn there).
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from operant.maintenance import jobs
from operant.maintenance.models import Notice
from operant.notify.models import Notification
from tests.allowance.test_concurrency import WAIT, in_thread

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite serializes"
    ),
]


def test_a_second_worker_skips_the_occurrence_the_first_is_sending(
    client_a, client_c, add_window, monkeypatch
):
    now = timezone.now()
    add_window(now=now, start=now + timedelta(days=5), end=now + timedelta(days=5, hours=1))
    due = now + timedelta(days=2)
    a_sending, release_a = threading.Event(), threading.Event()
    send = jobs.occurrence_notices_send

    def holding_send(**kwargs: Any) -> int:
        if threading.current_thread().name == "A":
            a_sending.set()
            assert release_a.wait(WAIT)
        return send(**kwargs)

    monkeypatch.setattr(jobs, "occurrence_notices_send", holding_send)
    results: dict[str, Any] = {}
    a = in_thread("A", results, lambda: jobs.occurrences_notices_due(now=due))
    a.start()
    assert a_sending.wait(WAIT)
    # B runs to the end while A holds the row: it neither waits nor sends.
    b = in_thread("B", results, lambda: jobs.occurrences_notices_due(now=due))
    b.start()
    b.join(WAIT)
    assert not b.is_alive()
    release_a.set()
    a.join(WAIT)
    assert results == {"A": 1, "B": 0}
    assert Notice.objects.count() == 2
    assert Notification.objects.filter(kind="maintenance.notice").count() == 2
