"""API fixtures: tokens for the base-case users, a bearer-authenticated HTTP client, tickets.

Requests carry ``Authorization: Bearer <token>``; ``api(token)`` returns a test client that sends
it on every request (``api(None)`` sends no header at all).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest
from django.test import Client as DjangoClient

if TYPE_CHECKING:
    from operant.accounts.models import Client, User
    from operant.desk.models import Ticket

NY = ZoneInfo("America/New_York")


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY)


# Tuesday 1 December 2026, 10:00 in New York: a plain business morning.
OPENED = ny(2026, 12, 1, 10, 0)


@pytest.fixture
def api() -> Callable[[str | None], DjangoClient]:
    def make(token: str | None) -> DjangoClient:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return DjangoClient(headers=headers)

    return make


def _token(user: User) -> str:
    from operant.api.services import api_token_create

    _, plaintext = api_token_create(user=user, name="tests")
    return plaintext


@pytest.fixture
def agent_token(agent: User) -> str:
    return _token(agent)


@pytest.fixture
def alice_token(alice: User) -> str:
    return _token(alice)


@pytest.fixture
def agent_api(api: Callable[[str | None], DjangoClient], agent_token: str) -> DjangoClient:
    return api(agent_token)


@pytest.fixture
def open_ticket(client_a: Client) -> Callable[..., Ticket]:
    """Open a ticket through the desk service, by default from client_a's contact."""
    from operant.desk.services import ticket_open

    def make(
        text: str = "Could you tell me how the reminder texts work?",
        *,
        subject: str = "A question",
        at: datetime = OPENED,
        client: Client | None = client_a,
        requester: str | None = None,
    ) -> Ticket:
        contact = client.contacts.first() if client is not None else None
        return ticket_open(
            client=client,
            contact=contact,
            requester_email=requester or (contact.email if contact else "someone@unknown.example"),
            subject=subject,
            text=text,
            received_at=at,
            now=at,
        )

    return make


def inbound(ticket: Ticket, text: str, *, at: datetime = OPENED) -> None:
    """The client's message as the mail pipeline would have stored it."""
    from operant.desk.models import Message, MessageKind

    Message.objects.create(
        ticket=ticket,
        kind=MessageKind.INBOUND,
        from_address=ticket.requester_email,
        from_name="Alice Adams",
        subject=ticket.subject,
        text=text,
        created_at=at,
    )
