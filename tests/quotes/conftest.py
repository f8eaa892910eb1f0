"""Quote fixtures: an out-of-scope ticket of client_a, and draft/sent quotes on it.

Every quote test writes its PDFs under a fresh ``DATA_DIR``. Times are New York business hours
in December 2026; tests that open links freeze the clock there too (the signature's age is
measured on the real clock).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest

if TYPE_CHECKING:
    from operant.accounts.models import Client, User
    from operant.desk.models import Ticket
    from operant.quotes.models import Quote

NY = ZoneInfo("America/New_York")


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY)


OPENED = ny(2026, 12, 1, 10, 0)
SENT = ny(2026, 12, 1, 11, 0)


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    settings.OPERANT_BASE_URL = "http://desk.test"
    return tmp_path


@pytest.fixture
def oos_ticket(client_a: Client, agent: User) -> Ticket:
    """client_a asks for a new feature; an agent classified it out of scope."""
    from operant.desk.services import ticket_open, ticket_reclassify

    contact = client_a.contacts.get(email="alice@acme-dental.example")
    ticket = ticket_open(
        client=client_a,
        contact=contact,
        requester_email=contact.email,
        subject="Add Instagram booking replies",
        text="Could you add automatic replies that book appointments from Instagram DMs?",
        received_at=OPENED,
        now=OPENED,
    )
    return ticket_reclassify(
        ticket=ticket,
        request_class="out_of_scope",
        scope_category="new_feature",
        actor=agent,
        now=OPENED,
    )


@pytest.fixture
def general_ticket(client_a: Client) -> Ticket:
    """An ordinary question of client_a's: in scope, nothing to quote."""
    from operant.desk.services import ticket_open

    contact = client_a.contacts.get(email="alice@acme-dental.example")
    return ticket_open(
        client=client_a,
        contact=contact,
        requester_email=contact.email,
        subject="How do reminders work?",
        text="Could you tell me how the reminder texts work?",
        received_at=OPENED,
        now=OPENED,
    )


@pytest.fixture
def make_draft(oos_ticket: Ticket, agent: User) -> Callable[..., Quote]:
    """A draft on ``oos_ticket`` with one 2-hour line at the policy rate (250.00 USD)."""
    from operant.quotes.services import quote_create, quote_line_add

    def make(*, lines: bool = True, **overrides: Any) -> Quote:
        args: dict[str, Any] = {
            "client": oos_ticket.client,
            "ticket": oos_ticket,
            "title": "Instagram booking replies",
            "scope_category": "new_feature",
            "created_by": agent,
            "now": OPENED,
            **overrides,
        }
        quote = quote_create(**args)
        if lines:
            quote_line_add(
                quote=quote, kind="hours", description="Build the DM flow", hours="2", now=OPENED
            )
        return quote

    return make


@pytest.fixture
def draft(make_draft: Callable[..., Quote]) -> Quote:
    return make_draft()


@pytest.fixture
def sent(draft: Quote, agent: User) -> Quote:
    from operant.quotes.services import quote_send

    return quote_send(quote=draft, actor=agent, now=SENT)


def token_for(quote: Quote, action: str) -> str:
    from operant.quotes.links import quote_link_token

    return quote_link_token(quote, action)


def path_for(quote: Quote, action: str) -> str:
    from django.urls import reverse

    return reverse("quotes:respond", args=[token_for(quote, action)])
