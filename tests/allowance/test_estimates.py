"""A request estimated beyond the allowance or the minor limit is a significant change."""

from __future__ import annotations

import pytest

from operant.allowance.errors import EntryInvalid
from operant.allowance.models import EntryKind
from operant.allowance.services import adjustment_estimate_check, time_log
from operant.desk.models import TicketEvent
from tests.allowance.conftest import MID_DECEMBER

pytestmark = pytest.mark.django_db


def test_a_small_estimate_within_the_allowance_changes_nothing(ticket):
    verdict = adjustment_estimate_check(ticket=ticket, estimate_minutes=20, now=MID_DECEMBER)
    assert (verdict.over, verdict.reclassified, verdict.reasons) == (False, False, ())
    assert verdict.balance.remaining_minutes == 30
    ticket.refresh_from_db()
    assert ticket.request_class == "adjustment"


def test_an_estimate_over_the_minor_limit_is_a_significant_change(ticket, policy_terms):
    policy_terms(minutes_per_month="120", minor_request_limit_minutes="30")
    verdict = adjustment_estimate_check(ticket=ticket, estimate_minutes=45, now=MID_DECEMBER)
    assert verdict.over
    assert verdict.reclassified
    ticket.refresh_from_db()
    assert (ticket.request_class, ticket.scope_category) == ("out_of_scope", "significant_change")
    assert ticket.classification_clause == "02"
    assert ticket.classification_reasons == [
        "significant workflow change, quoted separately (clause 02): estimated at 45 minutes, "
        "over the 30-minute limit of a minor adjustment (clause 01)"
    ]
    event = TicketEvent.objects.get(ticket=ticket, kind="reclassified")
    assert event.actor is None
    assert event.data["to"] == {"class": "out_of_scope", "scope_category": "significant_change"}


def test_an_estimate_over_what_remains_is_a_significant_change(ticket, agent):
    time_log(ticket=ticket, agent=agent, minutes=20, kind=EntryKind.ADJUSTMENT, now=MID_DECEMBER)
    verdict = adjustment_estimate_check(ticket=ticket, estimate_minutes=15, now=MID_DECEMBER)
    assert verdict.reasons == (
        "estimated at 15 minutes, more than the 10 allowance minutes left for December 2026",
    )
    ticket.refresh_from_db()
    assert ticket.request_class == "out_of_scope"


def test_a_ticket_already_out_of_scope_is_left_as_it_is(ticket):
    adjustment_estimate_check(ticket=ticket, estimate_minutes=90, now=MID_DECEMBER)
    verdict = adjustment_estimate_check(ticket=ticket, estimate_minutes=90, now=MID_DECEMBER)
    assert verdict.over
    assert not verdict.reclassified
    assert TicketEvent.objects.filter(ticket=ticket, kind="reclassified").count() == 1


@pytest.mark.parametrize("estimate", [0, -3, "20"])
def test_the_estimate_must_be_positive_whole_minutes(ticket, estimate):
    with pytest.raises(EntryInvalid):
        adjustment_estimate_check(ticket=ticket, estimate_minutes=estimate, now=MID_DECEMBER)
