"""A portal request or reply goes through the same inbound pipeline as an email."""

from __future__ import annotations

from datetime import datetime
from email import message_from_bytes
from email.policy import default
from zoneinfo import ZoneInfo

import pytest

from operant.desk.models import MessageKind, Ticket
from operant.mail.models import InboundChannel, InboundMessage
from operant.mail.portal import PortalRequestInvalid, portal_request_submit

pytestmark = pytest.mark.django_db

# A Tuesday morning in New York: business hours for client_a.
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("America/New_York"))
LATER = datetime(2026, 12, 1, 11, 0, tzinfo=ZoneInfo("America/New_York"))


def _submit(contact, **kwargs):
    args = {
        "subject": "Reminders stopped",
        "text": "No reminder texts went out today.",
        "now": NOW,
        **kwargs,
    }
    return portal_request_submit(contact=contact, **args)


def test_a_request_opens_a_classified_ticket_through_the_pipeline(alice_contact):
    outcome = _submit(alice_contact)
    ticket = Ticket.objects.get(pk=outcome.ticket_id)
    assert outcome.state == "processed"
    assert outcome.ticket_ref == ticket.ref
    assert ticket.client == alice_contact.client
    assert ticket.contact == alice_contact
    assert ticket.subject == "Reminders stopped"
    assert ticket.request_class  # the classifier ran
    assert ticket.target_at is not None  # and the clock started
    inbound = InboundMessage.objects.get(ticket=ticket)
    assert inbound.channel == InboundChannel.PORTAL
    assert inbound.from_address == "alice@acme-dental.example"
    # Acknowledged like an email request.
    assert ticket.messages.filter(kind=MessageKind.ACKNOWLEDGEMENT).exists()


def test_the_stored_message_is_a_real_email_with_a_fresh_message_id(alice_contact):
    first = _submit(alice_contact)
    second = _submit(alice_contact, subject="Another one")
    raws = [
        message_from_bytes(bytes(row.raw), policy=default)
        for row in InboundMessage.objects.order_by("pk")
    ]
    assert first.ticket_id != second.ticket_id
    assert raws[0]["Message-ID"] != raws[1]["Message-ID"]
    assert raws[0]["From"].addresses[0].addr_spec == "alice@acme-dental.example"
    assert raws[0]["Subject"] == "Reminders stopped"


def test_a_reply_threads_to_its_ticket(alice_contact):
    ticket = Ticket.objects.get(pk=_submit(alice_contact).ticket_id)
    outcome = _submit(alice_contact, subject="", text="Still broken.", ticket=ticket, now=LATER)
    assert outcome.ticket_id == ticket.pk
    assert Ticket.objects.count() == 1
    reply = InboundMessage.objects.order_by("pk").last()
    parsed = message_from_bytes(bytes(reply.raw), policy=default)
    assert f"[{ticket.ref}]" in parsed["Subject"]
    assert parsed["In-Reply-To"]
    assert parsed["References"]
    assert ticket.messages.filter(kind=MessageKind.INBOUND).count() == 2


def test_a_reply_on_another_clients_ticket_is_refused(alice_contact, charlie_contact):
    ticket = Ticket.objects.get(pk=_submit(alice_contact).ticket_id)
    with pytest.raises(PortalRequestInvalid):
        _submit(charlie_contact, text="Let me in", ticket=ticket)
    assert InboundMessage.objects.count() == 1
    assert ticket.messages.filter(from_address__startswith="charlie").count() == 0


@pytest.mark.parametrize(
    ("subject", "text"), [("", "Some text"), ("Subject", "   "), ("x" * 201, "text")]
)
def test_bad_input_is_a_user_error_and_stores_nothing(alice_contact, subject, text):
    with pytest.raises(PortalRequestInvalid):
        _submit(alice_contact, subject=subject, text=text)
    assert not InboundMessage.objects.exists()
