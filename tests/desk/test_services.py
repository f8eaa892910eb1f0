"""Ticket workflows: classification on open, clocks from the policy, replies, reclassification."""

from __future__ import annotations

from datetime import timedelta

import pytest

from operant.desk.models import ClockState, MessageKind, TicketState
from operant.desk.services import (
    TicketError,
    ticket_clock_pause,
    ticket_clock_resume,
    ticket_reclassify,
    ticket_reply,
)
from operant.notify.models import Notification
from tests.desk.conftest import ny

pytestmark = pytest.mark.django_db


def test_it_classifies_a_new_request_and_sets_targets_from_the_policy(open_ticket) -> None:
    # Tuesday 1 December 2026, 10:00 in New York: a general inquiry is due by Wednesday's close
    # (1 business day) and at the latest by Thursday's close (2 business days).
    ticket = open_ticket()
    assert ticket.request_class == "general"
    assert ticket.classification_clause == "01"
    assert ticket.target_at == ny(2026, 12, 2, 17, 0)
    assert ticket.limit_at == ny(2026, 12, 3, 17, 0)
    assert ticket.clock_state == ClockState.RUNNING
    assert ticket.policy_version is not None
    classified = ticket.events.get(kind="classified")
    assert classified.policy_version == ticket.policy_version
    assert classified.data["class"] == "general"


def test_an_outage_before_the_cutoff_is_due_the_same_business_day(open_ticket) -> None:
    ticket = open_ticket("Our SMS reminders stopped working this morning", subject="Urgent")
    assert ticket.request_class == "outage"
    assert ticket.target_at == ny(2026, 12, 1, 17, 0)


def test_an_outage_after_the_cutoff_is_due_by_the_next_business_days_close(open_ticket) -> None:
    ticket = open_ticket("Texts are not sending at all", at=ny(2026, 12, 1, 16, 0))
    assert ticket.request_class == "outage"
    assert ticket.target_at == ny(2026, 12, 2, 17, 0)


def test_reclassifying_recomputes_the_clock_and_records_who_and_why(open_ticket, agent) -> None:
    ticket = open_ticket()
    ticket = ticket_reclassify(
        ticket=ticket, request_class="outage", actor=agent, now=ny(2026, 12, 1, 10, 5)
    )
    assert ticket.request_class == "outage"
    assert ticket.classification_clause == "03"
    assert ticket.target_at == ny(2026, 12, 1, 17, 0)
    event = ticket.events.get(kind="reclassified")
    assert event.actor == agent
    assert event.data["from"]["class"] == "general"
    assert event.data["to"]["class"] == "outage"


def test_out_of_scope_needs_a_policy_category(open_ticket, agent) -> None:
    ticket = open_ticket()
    with pytest.raises(TicketError, match="scope category"):
        ticket_reclassify(
            ticket=ticket, request_class="out_of_scope", actor=agent, now=ny(2026, 12, 1, 11, 0)
        )
    ticket = ticket_reclassify(
        ticket=ticket,
        request_class="out_of_scope",
        scope_category="migration",
        actor=agent,
        now=ny(2026, 12, 1, 11, 0),
    )
    assert (ticket.request_class, ticket.scope_category) == ("out_of_scope", "migration")
    assert ticket.classification_clause == "02"


def test_an_unknown_class_is_refused_with_the_known_ones(open_ticket, agent) -> None:
    with pytest.raises(TicketError, match="outage, general"):
        ticket_reclassify(
            ticket=open_ticket(), request_class="urgent", actor=agent, now=ny(2026, 12, 1, 11, 0)
        )


def test_the_first_reply_meets_the_clock_and_goes_out_threaded(open_ticket, agent) -> None:
    ticket = open_ticket()
    from operant.desk.models import Message

    Message.objects.create(
        ticket=ticket,
        kind=MessageKind.INBOUND,
        message_id="client-1@x",
        text="hello",
        created_at=ticket.created_at,
    )
    message = ticket_reply(
        ticket=ticket, author=agent, text="Here is how it works.", now=ny(2026, 12, 1, 11, 0)
    )
    ticket.refresh_from_db()
    assert ticket.clock_state == ClockState.MET
    assert ticket.first_response_at == ny(2026, 12, 1, 11, 0)
    assert ticket.state == TicketState.WAITING
    assert ticket.clock_due_at is None
    notification = Notification.objects.get(pk=message.notification_id)
    assert notification.headers["In-Reply-To"] == "<client-1@x>"
    assert notification.headers["X-Operant-Loop"] == "1"
    assert f"[{ticket.ref}]" in notification.subject
    assert "Here is how it works." in notification.body_text


def test_a_first_reply_after_the_target_is_a_breach(open_ticket, agent) -> None:
    ticket = open_ticket()
    ticket_reply(ticket=ticket, author=agent, text="Sorry for the wait.", now=ny(2026, 12, 3, 9, 0))
    ticket.refresh_from_db()
    assert ticket.clock_state == ClockState.BREACHED


def test_an_empty_reply_is_refused(open_ticket, agent) -> None:
    with pytest.raises(TicketError, match="needs some text"):
        ticket_reply(ticket=open_ticket(), author=agent, text="  ", now=ny(2026, 12, 1, 11, 0))


def test_pausing_pushes_the_deadlines_by_the_business_time_paused(open_ticket, agent) -> None:
    ticket = open_ticket()
    ticket = ticket_clock_pause(
        ticket=ticket, reason="waiting_on_client", actor=agent, now=ny(2026, 12, 1, 11, 0)
    )
    assert ticket.clock_state == ClockState.PAUSED
    assert ticket.clock_due_at is None
    # Paused from 11:00 to 15:00 the same day: four business hours.
    ticket = ticket_clock_resume(ticket=ticket, actor=agent, now=ny(2026, 12, 1, 15, 0))
    assert ticket.clock_state == ClockState.RUNNING
    assert ticket.paused_seconds == 4 * 3600
    # Wednesday 17:00 + 4 business hours = Thursday 13:00.
    assert ticket.target_at == ny(2026, 12, 3, 13, 0)
    pause = ticket.pauses.get()
    assert pause.ended_at == ny(2026, 12, 1, 15, 0)
    assert pause.reason == "waiting_on_client"


def test_the_clock_cannot_be_paused_twice(open_ticket, agent) -> None:
    ticket = open_ticket()
    ticket_clock_pause(
        ticket=ticket, reason="waiting_on_client", actor=agent, now=ny(2026, 12, 1, 11, 0)
    )
    with pytest.raises(TicketError, match="not running"):
        ticket_clock_pause(
            ticket=ticket, reason="waiting_on_client", actor=agent, now=ny(2026, 12, 1, 11, 30)
        )


def test_the_warning_comes_before_the_target(open_ticket) -> None:
    ticket = open_ticket()
    # Two hours (the policy's warning lead) before Wednesday 17:00.
    assert ticket.clock_due_at == ticket.target_at - timedelta(hours=2)
