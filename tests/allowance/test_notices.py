"""The 80 % and 100 % notices: to the client and the agents, once per month."""

from __future__ import annotations

import datetime as dt

import pytest

from operant.allowance.models import AllowanceMonth, EntryKind
from operant.allowance.services import time_entry_delete, time_entry_edit, time_log
from operant.notify.models import Notification
from tests.allowance.conftest import DECEMBER, MID_DECEMBER

pytestmark = pytest.mark.django_db


def log(ticket, agent, minutes, *, now=MID_DECEMBER, day=None):
    return time_log(
        ticket=ticket, agent=agent, minutes=minutes, kind=EntryKind.ADJUSTMENT, work_date=day,
        now=now,
    )  # fmt: skip


def notices(kind="allowance.threshold"):
    return list(Notification.objects.filter(kind=kind).order_by("pk"))


def test_nothing_is_sent_below_80_percent(ticket, agent):
    log(ticket, agent, 23)  # 76 %
    assert notices() == []
    assert notices("allowance.threshold_agents") == []


def test_at_80_percent_the_client_and_the_agents_are_told_once(ticket, agent, acme):
    acme.billing_email = "accounts@acme-dental.example"
    acme.save(update_fields=["billing_email"])
    log(ticket, agent, 24)  # 80 %
    log(ticket, agent, 1)
    log(ticket, agent, 2)
    (to_client,) = notices()
    assert to_client.to == ["alice@acme-dental.example", "accounts@acme-dental.example"]
    assert to_client.subject == "80% of your included minutes for December 2026 are used"
    assert "24 of 30 minutes, 6 left" in to_client.body_text
    assert ticket.ref in to_client.body_text
    (to_agents,) = notices("allowance.threshold_agents")
    assert to_agents.to == ["agent@operant.test"]
    assert "Acme Dental has used 24 of 30" in to_agents.body_text
    row = AllowanceMonth.objects.get(client=acme, month=DECEMBER)
    assert row.notified_80_at == MID_DECEMBER
    assert row.notified_100_at is None


def test_at_100_percent_they_are_told_again_once(ticket, agent):
    log(ticket, agent, 25)
    log(ticket, agent, 5)
    assert [n.subject for n in notices()] == [
        "80% of your included minutes for December 2026 are used",
        "Your included minutes for December 2026 are used up",
    ]
    assert len(notices("allowance.threshold_agents")) == 2


def test_reaching_100_at_once_sends_only_the_used_up_notice(ticket, agent):
    log(ticket, agent, 30)
    assert [n.subject for n in notices()] == ["Your included minutes for December 2026 are used up"]
    row = AllowanceMonth.objects.get(month=DECEMBER)
    assert row.notified_80_at == row.notified_100_at == MID_DECEMBER


def test_going_below_and_back_up_does_not_repeat_a_notice(ticket, agent):
    """Run twice: remove the entry that crossed 80 % and log it again."""
    crossing = log(ticket, agent, 25)
    time_entry_delete(entry=crossing, actor=agent, now=MID_DECEMBER)
    log(ticket, agent, 25, now=MID_DECEMBER + dt.timedelta(hours=1))
    assert len(notices()) == 1
    assert len(notices("allowance.threshold_agents")) == 1


def test_an_edit_that_crosses_a_threshold_tells_them(ticket, agent):
    entry = log(ticket, agent, 10)
    assert notices() == []
    time_entry_edit(entry=entry, actor=agent, minutes=30, now=MID_DECEMBER)
    assert [n.subject for n in notices()] == ["Your included minutes for December 2026 are used up"]


def test_each_month_is_told_on_its_own(ticket, agent):
    log(ticket, agent, 30, day=dt.date(2026, 11, 30))
    log(ticket, agent, 30)
    assert [n.subject for n in notices()] == [
        "Your included minutes for November 2026 are used up",
        "Your included minutes for December 2026 are used up",
    ]


def test_support_time_sends_nothing(ticket, agent):
    time_log(ticket=ticket, agent=agent, minutes=90, kind="uncharged", now=MID_DECEMBER)
    assert notices() == []


def test_the_thresholds_come_from_the_policy(ticket, agent, policy_terms):
    policy_terms(notify_at_percent="[50, 100]")
    log(ticket, agent, 15)
    assert [n.subject for n in notices()] == [
        "50% of your included minutes for December 2026 are used"
    ]
