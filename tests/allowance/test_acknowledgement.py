"""A client asking for a minor adjustment is told, in the acknowledgement, what remains."""

from __future__ import annotations

import pytest

from operant.allowance.models import EntryKind
from operant.allowance.services import time_log
from operant.desk.services import ticket_acknowledge
from tests.allowance.conftest import MID_DECEMBER

pytestmark = pytest.mark.django_db


def test_an_adjustment_acknowledgement_says_how_many_minutes_remain(ticket_for, acme, agent):
    earlier = ticket_for(acme, subject="Typo")
    time_log(ticket=earlier, agent=agent, minutes=12, kind=EntryKind.ADJUSTMENT, now=MID_DECEMBER)
    ticket = ticket_for(acme, at=MID_DECEMBER, subject="Change the reminder wording")
    assert ticket.request_class == "adjustment"
    message = ticket_acknowledge(ticket=ticket, now=MID_DECEMBER)
    assert (
        "Minor adjustments are included up to 30 minutes a month (clause 01 of our policy): "
        "18 of them remain for December 2026." in message.text
    )


def test_other_requests_are_not_told_about_the_allowance(ticket_for, acme):
    ticket = ticket_for(
        acme, at=MID_DECEMBER, text="How do the reminder texts work?", subject="Question"
    )
    assert ticket.request_class == "general"
    message = ticket_acknowledge(ticket=ticket, now=MID_DECEMBER)
    assert "Minor adjustments" not in message.text
