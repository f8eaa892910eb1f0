from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

NY = ZoneInfo("America/New_York")


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY)


@pytest.fixture
def open_ticket(client_a):
    """Open a ticket for client_a's contact at a given New York time."""
    from operant.desk.services import ticket_open

    def make(
        text: str = "Could you tell me how the reminder texts work?",
        *,
        at: datetime | None = None,
        subject: str = "A question",
    ):
        at = at or ny(2026, 12, 1, 10, 0)
        contact = client_a.contacts.first()
        return ticket_open(
            client=client_a,
            contact=contact,
            requester_email=contact.email,
            subject=subject,
            text=text,
            received_at=at,
            now=at,
        )

    return make
