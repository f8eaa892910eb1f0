"""Tickets for the console's page tests, opened through the desk service like real mail."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from operant.accounts.models import Client
from operant.desk.models import Ticket
from operant.desk.services import ticket_open

NY = ZoneInfo("America/New_York")

GENERAL = "Could you tell me how the reminder texts work?"
OUTAGE = "Our SMS reminders stopped working this morning"
ADJUSTMENT = "Please fix a typo in the greeting"
NEW_FEATURE = "Could you build us a new feature for booking?"


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY)


# Tuesday 1 December 2026, 10:00 New York: a general request is due Wednesday 17:00 and an
# outage the same day at 17:00 (see tests/desk/test_services.py).
TUESDAY_10AM = ny(2026, 12, 1, 10, 0)


def open_ticket(
    client: Client | None,
    text: str = GENERAL,
    *,
    subject: str = "A question",
    at: datetime = TUESDAY_10AM,
    requester: str = "",
) -> Ticket:
    contact = client.contacts.order_by("pk").first() if client else None
    return ticket_open(
        client=client,
        contact=contact,
        requester_email=requester or (contact.email if contact else "stranger@example.net"),
        subject=subject,
        text=text,
        received_at=at,
        now=at,
    )
