"""The worker's clock job: one warning before the target, a breach when it passes."""

from __future__ import annotations

import pytest

from operant.desk.jobs import clock_claim_and_check, clocks_process_due
from operant.desk.models import ClockState
from operant.notify.models import Notification
from tests.desk.conftest import ny

pytestmark = pytest.mark.django_db


def test_it_warns_the_agents_once_before_the_target(open_ticket, agent) -> None:
    ticket = open_ticket()
    assert clocks_process_due(now=ny(2026, 12, 2, 14, 0)) == 0  # not yet due
    assert clocks_process_due(now=ny(2026, 12, 2, 15, 1)) == 1
    assert clocks_process_due(now=ny(2026, 12, 2, 15, 2)) == 0
    warning = Notification.objects.get(kind="desk.sla_warning")
    assert warning.to == [agent.email]
    assert ticket.ref in warning.subject
    ticket.refresh_from_db()
    assert ticket.warned_at == ny(2026, 12, 2, 15, 1)
    assert ticket.clock_due_at == ticket.target_at


def test_it_records_a_breach_at_the_target_and_the_limit_after(open_ticket, agent) -> None:
    ticket = open_ticket()
    clocks_process_due(now=ny(2026, 12, 2, 15, 1))
    clocks_process_due(now=ny(2026, 12, 2, 17, 0))
    ticket.refresh_from_db()
    assert ticket.clock_state == ClockState.BREACHED
    assert ticket.breached_at == ny(2026, 12, 2, 17, 0)
    assert ticket.clock_due_at == ticket.limit_at
    clocks_process_due(now=ny(2026, 12, 3, 17, 0))
    ticket.refresh_from_db()
    assert ticket.limit_passed_at == ny(2026, 12, 3, 17, 0)
    assert ticket.clock_due_at is None
    assert list(
        ticket.events.filter(kind__in=["warned", "target_missed", "limit_passed"])
        .values_list("kind", flat=True)
        .order_by("at")
    ) == ["warned", "target_missed", "limit_passed"]


def test_a_late_worker_does_not_send_a_pointless_warning(open_ticket, agent) -> None:
    ticket = open_ticket()
    clocks_process_due(now=ny(2026, 12, 2, 18, 0))  # the worker was down past the target
    assert not Notification.objects.filter(kind="desk.sla_warning").exists()
    ticket.refresh_from_db()
    assert ticket.clock_state == ClockState.BREACHED


def test_two_workers_that_read_the_same_due_clock_warn_only_once(open_ticket, agent) -> None:
    ticket = open_ticket()
    due_at = ticket.clock_due_at
    now = ny(2026, 12, 2, 15, 1)
    # Both workers read (pk, due_at) before either claimed it.
    assert clock_claim_and_check(pk=ticket.pk, due_at=due_at, now=now) is True
    assert clock_claim_and_check(pk=ticket.pk, due_at=due_at, now=now) is False
    assert Notification.objects.filter(kind="desk.sla_warning").count() == 1
