"""End to end through real mail servers: a client writes to support, the desk reads the mailbox
by IMAP, answers by SMTP into the client's real mailbox, and her reply threads back.

Dovecot holds the mailboxes (support@operant.test, alice@client-a.test); the test MTA delivers
whatever is sent to it into those mailboxes; the desk's Django SMTP backend sends to that MTA.
"""

from __future__ import annotations

import json
import smtplib
from email import message_from_bytes
from email.message import Message as EmailMessage
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from operant.desk.models import Ticket, TicketState
from operant.mail.channels.imap import ImapPoller
from operant.mail.models import InboundMessage, InboundState
from operant.notify.services import notifications_deliver_due
from tests.dovecot import SUPPORT, DovecotServer, TestMTA, make_mail

pytestmark = pytest.mark.django_db(transaction=True)
ALICE = "alice@client-a.test"
LOOP_HEADER = "X-Operant-Loop"


def alice_sends(mta: TestMTA, raw: bytes) -> None:
    """Alice's mail program submits to the MTA, which delivers into support's INBOX."""
    with smtplib.SMTP(mta.host, mta.port, timeout=30) as client:
        client.sendmail(ALICE, [SUPPORT], raw)


def inbox(server: DovecotServer, user: str, folder: str = "INBOX") -> list[EmailMessage]:
    return [message_from_bytes(stored.raw) for stored in server.messages(user, folder)]


def ticket_json(ref: str) -> dict[str, Any]:
    out = StringIO()
    call_command("tickets", "show", ref, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def acknowledgements(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bool, bool]]:
    """Record, at each mailbox acknowledgement, (inside a transaction?, rows all settled?)."""
    seen: list[tuple[bool, bool]] = []
    original = ImapPoller._acknowledge

    def checked(self: ImapPoller, mailbox: Any, uids: list[str]) -> None:
        pending = InboundMessage.objects.exclude(
            state__in=[InboundState.PROCESSED, InboundState.IGNORED, InboundState.FAILED]
        ).exists()
        seen.append((connection.in_atomic_block, not pending))
        original(self, mailbox, uids)

    monkeypatch.setattr(ImapPoller, "_acknowledge", checked)
    return seen


def test_a_request_is_answered_into_the_clients_mailbox_and_her_reply_threads_back(
    imap_settings: DovecotServer,
    desk_outbound: TestMTA,
    catalog: None,
    agent: Any,
    acknowledgements: list[tuple[bool, bool]],
) -> None:
    from operant.accounts.services import client_create
    from operant.desk.services import ticket_reply

    server = imap_settings
    client = client_create(
        name="Client A", package_key="growth", emails=[ALICE], domains=["client-a.test"]
    )

    # 1. Alice writes; the MTA puts it in support's INBOX; one IMAP pass opens the ticket.
    alice_sends(
        desk_outbound,
        make_mail(
            sender=f"Alice Adams <{ALICE}>",
            subject="How are the reminder texts scheduled?",
            body="Hello,\n\ncould you explain when the reminder texts go out?\n\nAlice\n",
            message_id="first@client-a.test",
        ),
    )
    assert len(server.messages(SUPPORT)) == 1
    call_command("imap", "--once", stdout=StringIO())
    ticket = Ticket.objects.get()
    shown = ticket_json(ticket.ref)
    assert shown["client"] == client.slug
    assert shown["class"] == "general"
    assert shown["clock"]["target_at"] is not None
    assert shown["state"] == TicketState.OPEN
    # The support INBOX is empty only because the message was moved after its commit.
    assert server.messages(SUPPORT) == []
    assert len(server.messages(SUPPORT, "Processed")) == 1

    # 2. The worker sends the acknowledgement by SMTP; it lands in Alice's INBOX, threaded.
    assert notifications_deliver_due(now=timezone.now()) == 1
    [ack] = inbox(server, ALICE)
    assert ack["In-Reply-To"] == "<first@client-a.test>"
    assert f"[{ticket.ref}]" in ack["Subject"]
    assert ack[LOOP_HEADER]
    assert ack["To"] == ALICE

    # 3. An agent replies; it reaches Alice's INBOX too.
    answer = "They go out 24 hours ahead."
    ticket_reply(ticket=ticket, author=agent, text=answer, now=timezone.now())
    assert notifications_deliver_due(now=timezone.now()) == 1
    reply = inbox(server, ALICE)[-1]
    assert "24 hours ahead" in reply.get_payload(decode=True).decode()
    assert f"[{ticket.ref}]" in reply["Subject"]
    ticket.refresh_from_db()
    assert ticket.state == TicketState.WAITING

    # 4. Alice answers the reply, as a mail program would; the next pass threads it back.
    alice_sends(
        desk_outbound,
        make_mail(
            sender=f"Alice Adams <{ALICE}>",
            subject=f"Re: {reply['Subject']}",
            body="Thanks! Can we make it 48 hours?\n\n> They go out 24 hours ahead.\n",
            message_id="second@client-a.test",
            headers={
                "In-Reply-To": reply["Message-ID"],
                "References": f"<first@client-a.test> {reply['Message-ID']}",
            },
        ),
    )
    call_command("imap", "--once", stdout=StringIO())
    assert Ticket.objects.count() == 1
    ticket.refresh_from_db()
    assert ticket.state == TicketState.OPEN  # reopened by the client's reply
    inbound = ticket.messages.filter(kind="inbound").order_by("created_at")
    assert [m.message_id for m in inbound] == ["first@client-a.test", "second@client-a.test"]
    assert ticket_json(ticket.ref)["messages"] == 4  # two inbound, the ack, the reply
    assert server.messages(SUPPORT) == []
    assert len(server.messages(SUPPORT, "Processed")) == 2
    # Every acknowledgement to the mailbox came outside a transaction, after all rows settled.
    assert acknowledgements == [(False, True), (False, True)]
