"""Filing a ticket under a client by hand (``ticket_assign_client``)."""

from __future__ import annotations

import pytest

from operant.desk.services import TicketError
from operant.desk.services_assign import ticket_assign_client
from tests.desk.conftest import ny

pytestmark = pytest.mark.django_db

NOW = ny(2026, 12, 1, 11, 0)


@pytest.fixture
def unmatched():
    from operant.desk.services import ticket_open

    at = ny(2026, 12, 1, 10, 0)
    return ticket_open(
        client=None,
        contact=None,
        requester_email="someone@elsewhere.example",
        subject="Hello",
        text="Could you tell me how the reminder texts work?",
        received_at=at,
        now=at,
    )


def test_it_files_an_unmatched_ticket_and_records_who_did(unmatched, client_a, agent) -> None:
    before = (unmatched.request_class, unmatched.target_at, unmatched.limit_at)
    ticket = ticket_assign_client(ticket=unmatched, client=client_a, actor=agent, now=NOW)
    ticket.refresh_from_db()
    assert ticket.client == client_a
    assert ticket.updated_at == NOW
    # Nothing else is recomputed: classification and clock stay the agent's to change.
    assert (ticket.request_class, ticket.target_at, ticket.limit_at) == before
    event = ticket.events.get(kind="client_assigned")
    assert event.actor == agent
    assert event.at == NOW
    assert event.data == {"from": None, "to": "acme-dental", "dropped_contact": None}


def test_it_refuses_to_file_a_ticket_under_the_client_it_has(unmatched, client_a, agent) -> None:
    ticket_assign_client(ticket=unmatched, client=client_a, actor=agent, now=NOW)
    with pytest.raises(TicketError, match="already filed under Acme Dental"):
        ticket_assign_client(ticket=unmatched, client=client_a, actor=agent, now=NOW)
    assert unmatched.events.filter(kind="client_assigned").count() == 1


def test_moving_a_ticket_drops_a_contact_of_the_old_client(
    open_ticket, client_a, client_c, agent
) -> None:
    ticket = open_ticket()
    assert ticket.contact.client == client_a
    ticket = ticket_assign_client(ticket=ticket, client=client_c, actor=agent, now=NOW)
    ticket.refresh_from_db()
    assert (ticket.client, ticket.contact) == (client_c, None)
    event = ticket.events.get(kind="client_assigned")
    assert event.data == {
        "from": "acme-dental",
        "to": "cobalt-gym",
        "dropped_contact": "alice@acme-dental.example",
    }


def test_only_staff_may_file_tickets(unmatched, client_a, alice) -> None:
    with pytest.raises(TicketError, match="only Operant staff"):
        ticket_assign_client(ticket=unmatched, client=client_a, actor=alice, now=NOW)
    unmatched.refresh_from_db()
    assert unmatched.client is None
