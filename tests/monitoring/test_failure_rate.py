"""The failure rate: one decision (``rate_verdict``) for the callback path and the worker's
recheck; the whole cycle driven by Twilio callbacks crossing the threshold; one carrier
hiccup never takes a workflow down; the per-minute counters under concurrency."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from operant.desk.models import MessageKind, Ticket
from operant.monitoring.models import Downtime, Flip, MessageOutcomes, Signal, Workflow
from operant.monitoring.providers.failure_rate import Counts, outcome_count, rate_verdict
from operant.monitoring.providers.twilio_errors import error_group
from operant.notify.models import Notification
from tests.monitoring.conftest import run_worker
from tests.monitoring.signed import send_status


def verdict(delivered: int, failed: int, percent: int = 25, minimum: int = 10) -> bool:
    counts = Counts(delivered=delivered, failed=failed)
    return rate_verdict(counts, percent=percent, min_messages=minimum, window_seconds=900).failing


@pytest.mark.parametrize(
    ("delivered", "failed", "failing"),
    [
        (0, 0, False),
        (0, 1, False),  # one carrier hiccup: below the minimum count, whatever its rate
        (0, 9, False),  # still below the minimum
        (0, 10, True),
        (9, 3, True),  # 3 of 12 is exactly 25%: the limit is reached
        (10, 3, False),  # 3 of 13 is under 25%
        (1000, 249, False),
        (750, 250, True),
    ],
)
def test_the_rate_decision(delivered: int, failed: int, failing: bool) -> None:
    assert verdict(delivered, failed) is failing


def test_the_verdict_says_why() -> None:
    counts = Counts(delivered=6, failed=6)
    found = rate_verdict(counts, percent=25, min_messages=10, window_seconds=900)
    assert found.reason == "6 of 12 messages failed in the last 15 minutes (limit 25%)"


@pytest.mark.parametrize(
    ("code", "group", "counts"),
    [
        ("30003", "recipient", True),
        ("30006", "recipient", True),
        ("21610", "opted_out", False),
        ("30007", "account", True),
        ("30034", "account", True),
        ("11200", "own_code", True),
        ("30019", "own_code", True),
        ("99999", "other", True),
        ("oops", "other", True),
    ],
)
def test_error_codes_are_grouped_by_whose_problem_they_are(
    code: str, group: str, counts: bool
) -> None:
    found = error_group(code)
    assert found is not None
    assert (found.key, found.counts_as_failure) == (group, counts)


def test_no_error_code_is_no_group() -> None:
    assert error_group("") is None
    assert error_group(None) is None
    assert error_group("0") is None


def state_of(workflow: Workflow) -> str:
    workflow.refresh_from_db()
    return workflow.state


def test_one_carrier_hiccup_does_not_take_a_workflow_down(client, sms_workflow: Workflow) -> None:  # type: ignore[no-untyped-def]
    send_status(client, 1, "undelivered", error_code="30003")
    assert state_of(sms_workflow) == "up"
    assert sms_workflow.failing_since is None
    run_worker(timezone.now())
    assert state_of(sms_workflow) == "up"
    assert not Flip.objects.filter(new_state="down").exists()
    assert not Ticket.objects.exists()


def test_deliveries_that_bring_a_high_rate_to_the_minimum_count_take_it_down(
    client, sms_workflow: Workflow
) -> None:  # type: ignore[no-untyped-def]
    for n in range(5):  # 5 failures: too few outcomes to judge
        send_status(client, n, "failed", error_code="30007")
    for n in range(5, 9):
        send_status(client, n, "delivered")
    assert state_of(sms_workflow) == "up"
    send_status(client, 9, "delivered")  # 5 of 10 failed: the minimum count is reached
    assert state_of(sms_workflow) == "down"


def test_opted_out_recipients_are_not_our_failure(client, sms_workflow: Workflow) -> None:  # type: ignore[no-untyped-def]
    for n in range(12):
        send_status(client, n, "failed", error_code="21610")
    assert state_of(sms_workflow) == "up"
    assert Signal.objects.filter(kind="fail").count() == 12
    assert not MessageOutcomes.objects.exists()


def test_callbacks_crossing_the_failure_rate_open_an_outage_and_its_recovery_is_noted(
    client,
    sms_workflow: Workflow,
    operator,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    start = timezone.now()  # 12:00 in New York
    time_machine.move_to(start, tick=False)
    for n in range(7):
        send_status(client, n, "delivered")
    for n in range(7, 9):  # 2 of 9: below the minimum of 10 outcomes
        send_status(client, n, "undelivered", error_code="30003")
    assert state_of(sms_workflow) == "up"

    failing_at = start + timedelta(minutes=2)
    time_machine.move_to(failing_at, tick=False)
    send_status(client, 9, "failed", error_code="30007")  # 3 of 10: over 25%
    assert state_of(sms_workflow) == "down"
    assert sms_workflow.failing_since == failing_at
    assert sms_workflow.state_reason == "3 of 10 messages failed in the last 15 minutes (limit 25%)"
    assert sms_workflow.due_at == failing_at + timedelta(minutes=1)  # the worker's recheck

    run_worker(failing_at)
    ticket = Ticket.objects.get()
    assert (ticket.request_class, ticket.source, ticket.classification_clause) == (
        "outage",
        "monitoring",
        "03",
    )
    # Received 12:02 in New York, before the 15:00 cutoff: due by the close of business.
    assert ticket.target_at == datetime(2026, 12, 1, 22, 0, tzinfo=UTC)
    alert = Notification.objects.get(kind="monitoring.alert")
    assert alert.to == [operator.email]
    assert alert.subject.startswith("DOWN: Appointment texts")
    assert "3 of 10 messages failed" in alert.body_text
    assert Notification.objects.filter(kind="desk.acknowledgement").exists()

    # More failures keep it down; the worker's minute rechecks do not bring it back.
    for n in range(10, 14):
        send_status(client, n, "failed", error_code="30007")
    run_worker(failing_at + timedelta(minutes=5))
    assert state_of(sms_workflow) == "down"
    assert sms_workflow.failing_since == failing_at  # when it started, kept

    # Fixed at 12:10: messages go through, and the rate falls under the limit as they do.
    fixed_at = start + timedelta(minutes=10)
    time_machine.move_to(fixed_at, tick=False)
    for n in range(14, 28):  # 7 failed of 28 outcomes: exactly 25%, still down
        send_status(client, n, "delivered")
    assert state_of(sms_workflow) == "down"
    send_status(client, 28, "delivered")  # 7 of 29: under the limit
    assert state_of(sms_workflow) == "up"
    assert sms_workflow.failing_since is None

    run_worker(fixed_at)
    downtime = Downtime.objects.get()
    assert downtime.ended_at == fixed_at
    note = ticket.messages.get(kind=MessageKind.NOTE)
    assert "recovered" in note.text
    assert "8m" in note.text
    up_alert = Notification.objects.filter(kind="monitoring.alert").latest("pk")
    assert up_alert.subject.startswith("UP: Appointment texts")
    assert [(f.old_state, f.new_state) for f in Flip.objects.order_by("pk")] == [
        ("new", "up"),
        ("up", "down"),
        ("down", "up"),
    ]


def test_the_worker_brings_a_workflow_back_when_its_failures_age_out(
    client,
    sms_workflow: Workflow,
    operator,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    for n in range(10):
        send_status(client, n, "failed", error_code="11200")
    assert state_of(sms_workflow) == "down"
    run_worker(start)
    assert Ticket.objects.count() == 1

    # No callback since: each minute the worker looks again; the failures are still inside
    # the 15-minute window at 14 minutes, and out of it at 16.
    run_worker(start + timedelta(minutes=14))
    assert state_of(sms_workflow) == "down"
    later = start + timedelta(minutes=16)
    run_worker(later)
    assert state_of(sms_workflow) == "up"
    assert sms_workflow.failing_since is None
    assert sms_workflow.due_at is None  # nothing more to look at
    run_worker(later)
    assert Downtime.objects.get().ended_at == later


def test_a_paused_workflow_is_not_taken_down_by_failures(
    client, sms_workflow: Workflow, agent
) -> None:  # type: ignore[no-untyped-def]
    from operant.monitoring.control import workflow_pause

    workflow_pause(
        workflow=sms_workflow, reason="carrier migration", actor=agent, now=timezone.now()
    )
    for n in range(10):
        send_status(client, n, "failed", error_code="30007")
    assert state_of(sms_workflow) == "paused"
    assert sms_workflow.failing_since is not None  # the fact is kept for when it resumes


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite serializes"
)
def test_concurrent_counters_lose_no_outcome(sms_workflow: Workflow) -> None:
    """Four writers counting into the same new minute at once, without the workflow's lock
    (the upsert must be safe by itself): every outcome is counted."""
    now = timezone.now()
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def count(failed: bool) -> None:
        try:
            start.wait(timeout=30)
            for _ in range(50):
                with transaction.atomic():
                    outcome_count(workflow_id=sms_workflow.pk, failed=failed, now=now)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=count, args=(n % 2 == 0,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    row = MessageOutcomes.objects.get(workflow=sms_workflow)
    assert (row.delivered, row.failed) == (100, 100)
