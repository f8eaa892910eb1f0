"""A client's reply arriving while an agent answers the same ticket loses neither change.

PostgreSQL only: SQLite has no row locks to test (every write transaction there begins with
BEGIN IMMEDIATE and waits its turn), and its in-memory test database is not for threads.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection

from operant.desk import services as desk_services
from operant.desk.models import ClockState, Ticket, TicketState
from operant.mail.services import mail_ingest
from tests.allowance.test_concurrency import WAIT, in_thread, someone_waits_on_a_lock
from tests.mail.test_batch import mail
from tests.waiting import wait_until

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite serializes"
    ),
]
NOW = datetime(2026, 3, 4, 15, 30, tzinfo=UTC)


def test_a_reply_by_mail_waits_for_the_agents_reply_and_keeps_its_clock(
    client_a, agent, monkeypatch
):
    """Agent A replies (first response: the clock is met) and, before committing, holds still.
    The client's mail on the same ticket arrives meanwhile: routing must wait on the ticket's
    lock, then see the met clock, and reopen the ticket without undoing it."""
    mail_ingest(raw=mail(message_id="start@acme-dental.example"), channel="file", now=NOW)
    ticket = Ticket.objects.get()
    a_holds, release_a = threading.Event(), threading.Event()
    record = desk_services.ticket_sent_record

    def holding_record(**kwargs: Any) -> Any:
        sent = record(**kwargs)
        if threading.current_thread().name == "A":
            a_holds.set()
            assert release_a.wait(WAIT)
        return sent

    monkeypatch.setattr(desk_services, "ticket_sent_record", holding_record)
    later = NOW + timedelta(minutes=10)
    results: dict[str, Any] = {}
    a = in_thread(
        "A",
        results,
        lambda: desk_services.ticket_reply(ticket=ticket, author=agent, text="On it.", now=NOW),
    )
    reply = mail(subject=f"Re: reminders [{ticket.ref}]", message_id="again@acme-dental.example")
    b = in_thread("B", results, lambda: mail_ingest(raw=reply, channel="file", now=later))
    a.start()
    assert a_holds.wait(WAIT)
    b.start()
    try:
        wait_until(someone_waits_on_a_lock, timeout=WAIT, what="the mail to wait on the ticket")
    finally:
        release_a.set()
        a.join(WAIT)
        b.join(WAIT)
    assert results["B"].detail == f"reply threaded to {ticket.ref}", results
    ticket.refresh_from_db()
    assert ticket.first_response_at == NOW
    assert ticket.clock_state == ClockState.MET  # the agent's answer stands
    assert ticket.state == TicketState.OPEN  # and the client's later mail reopened the ticket
    assert ticket.last_message_at == later
