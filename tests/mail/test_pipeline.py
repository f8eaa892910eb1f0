"""The inbound pipeline end to end on the database: store, parse, route, thread, acknowledge."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from zoneinfo import ZoneInfo

import pytest

from operant.desk.models import Message, Ticket, TicketState
from operant.mail.models import InboundMessage, InboundState
from operant.mail.receive import inbound_receive
from operant.mail.routing import ACK_LIMIT_PER_HOUR
from operant.mail.services import inbound_process, inbound_process_due, mail_ingest
from operant.notify.models import Notification

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("America/New_York"))


def mail(
    *,
    sender: str = "alice@acme-dental.example",
    subject: str = "How do the reminders work?",
    body: str = "Hello, could you explain how the reminder texts are scheduled?",
    message_id: str | None = "m1@acme-dental.example",
    headers: dict[str, str] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = f"Alice <{sender}>"
    message["To"] = "support@operantco.com"
    message["Subject"] = subject
    message["Date"] = format_datetime(NOW)
    if message_id:
        message["Message-ID"] = f"<{message_id}>"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes()


def test_a_new_request_opens_a_classified_ticket_and_is_acknowledged(client_a) -> None:
    outcome = mail_ingest(raw=mail(), channel="file", now=NOW)
    assert outcome.state == InboundState.PROCESSED
    ticket = Ticket.objects.get()
    assert outcome.ticket_ref == ticket.ref
    assert ticket.client == client_a
    assert ticket.request_class == "general"
    assert ticket.target_at is not None
    ack = Notification.objects.get(kind="desk.acknowledgement")
    assert ack.to == ["alice@acme-dental.example"]
    assert ack.headers["In-Reply-To"] == "<m1@acme-dental.example>"
    assert ticket.ref in ack.subject
    assert "General inquiry" in ack.body_text
    assert "December 2, 2026, 5:00 PM" in ack.body_text  # the target, in the client's timezone


def test_a_reply_threads_by_the_reference_in_the_subject_and_reopens(client_a, agent) -> None:
    from operant.desk.services import ticket_reply

    mail_ingest(raw=mail(), channel="file", now=NOW)
    ticket = Ticket.objects.get()
    ticket_reply(ticket=ticket, author=agent, text="Answer", now=NOW + timedelta(hours=1))
    reply = mail(
        subject=f"Re: How do the reminders work? [{ticket.ref}]",
        message_id="m2@x",
        body="Thanks, one more thing.",
    )
    outcome = mail_ingest(raw=reply, channel="file", now=NOW + timedelta(hours=2))
    assert outcome.ticket_ref == ticket.ref
    ticket.refresh_from_db()
    assert ticket.state == TicketState.OPEN
    assert Ticket.objects.count() == 1
    assert ticket.messages.filter(kind="inbound").count() == 2
    # A reply gets no second acknowledgement.
    assert Notification.objects.filter(kind="desk.acknowledgement").count() == 1


def test_a_reply_threads_by_in_reply_to_our_message(client_a) -> None:
    mail_ingest(raw=mail(), channel="file", now=NOW)
    ack = Notification.objects.get(kind="desk.acknowledgement")
    reply = mail(
        subject="Re: your ticket", message_id="m3@x", headers={"In-Reply-To": f"<{ack.message_id}>"}
    )
    outcome = mail_ingest(raw=reply, channel="file", now=NOW + timedelta(minutes=5))
    assert outcome.ticket_ref == Ticket.objects.get().ref


def test_threading_never_crosses_clients(client_a, client_c) -> None:
    mail_ingest(raw=mail(), channel="file", now=NOW)
    ticket = Ticket.objects.get()
    intruder = mail(
        sender="charlie@cobalt-gym.example",
        message_id="c1@x",
        subject=f"Re: [{ticket.ref}] let me in",
        headers={"In-Reply-To": "<m1@acme-dental.example>"},
    )
    outcome = mail_ingest(raw=intruder, channel="file", now=NOW + timedelta(minutes=5))
    assert outcome.ticket_ref != ticket.ref
    assert Ticket.objects.get(pk=ticket.pk).messages.filter(kind="inbound").count() == 1
    assert Ticket.objects.get(requester_email="charlie@cobalt-gym.example").client == client_c


def test_an_unknown_sender_lands_unmatched_and_learns_nothing(db, catalog) -> None:
    outcome = mail_ingest(raw=mail(sender="stranger@nowhere.example"), channel="file", now=NOW)
    ticket = Ticket.objects.get()
    assert ticket.client is None
    assert "unmatched" in outcome.detail
    assert not Notification.objects.exists()


def test_the_same_message_twice_yields_one_ticket_message(client_a) -> None:
    raw = mail()
    first = mail_ingest(raw=raw, channel="imap", now=NOW)
    second = mail_ingest(raw=raw, channel="smtp", now=NOW + timedelta(seconds=3))
    assert first.ticket_ref == second.ticket_ref
    assert Message.objects.filter(kind="inbound").count() == 1
    assert InboundMessage.objects.count() == 1


def test_a_message_without_message_id_is_still_deduplicated(client_a) -> None:
    raw = mail(message_id=None)
    mail_ingest(raw=raw, channel="file", now=NOW)
    mail_ingest(raw=raw, channel="file", now=NOW)
    assert Message.objects.filter(kind="inbound").count() == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"X-Auto-Response-Suppress": "All"},
    ],
)
def test_auto_replies_get_no_acknowledgement(client_a, headers) -> None:
    outcome = mail_ingest(raw=mail(headers=headers), channel="file", now=NOW)
    assert outcome.state == InboundState.IGNORED
    assert not Notification.objects.exists()


def test_our_own_mail_coming_back_is_ignored(client_a) -> None:
    outcome = mail_ingest(raw=mail(headers={"X-Operant-Loop": "1"}), channel="file", now=NOW)
    assert outcome.state == InboundState.IGNORED
    assert not Ticket.objects.exists()


def test_acknowledgements_are_rate_limited_per_sender(client_a) -> None:
    for n in range(ACK_LIMIT_PER_HOUR + 3):
        mail_ingest(
            raw=mail(message_id=f"burst{n}@x", subject=f"Question {n}"),
            channel="file",
            now=NOW + timedelta(minutes=n),
        )
    assert Ticket.objects.count() == ACK_LIMIT_PER_HOUR + 3
    assert Notification.objects.filter(kind="desk.acknowledgement").count() == ACK_LIMIT_PER_HOUR


def test_a_bounce_attaches_to_the_message_it_bounces(client_a) -> None:
    mail_ingest(raw=mail(), channel="file", now=NOW)
    ack = Notification.objects.get(kind="desk.acknowledgement")
    bounce = (
        "From: MAILER-DAEMON@mx.example\r\nTo: support@operantco.com\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <b1@mx.example>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example\r\n\r\n"
        "Final-Recipient: rfc822; alice@acme-dental.example\r\n"
        "Action: failed\r\nStatus: 5.1.1\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: <{ack.message_id}>\r\nSubject: {ack.subject}\r\n\r\n--B--\r\n"
    ).encode()
    outcome = mail_ingest(raw=bounce, channel="file", now=NOW + timedelta(minutes=1))
    ticket = Ticket.objects.get()
    assert outcome.ticket_ref == ticket.ref
    assert ticket.flagged
    assert ticket.events.filter(kind="bounce").exists()
    assert Notification.objects.count() == 1  # no acknowledgement of a bounce


def test_unreadable_mail_is_stored_raw_and_flagged(db) -> None:
    garbage = b"\x00\x01\x02 not an email at all \xff\xfe"
    outcome = mail_ingest(raw=garbage, channel="file", now=NOW)
    row = InboundMessage.objects.get()
    assert bytes(row.raw) == garbage
    assert row.flagged
    assert outcome.state == InboundState.FAILED
    assert not Ticket.objects.exists()


def test_a_stored_message_is_processed_by_the_worker_later(client_a) -> None:
    row, created = inbound_receive(raw=mail(), channel="imap", now=NOW)
    assert created
    assert inbound_process_due(now=NOW) == 1
    row.refresh_from_db()
    assert row.state == InboundState.PROCESSED
    assert row.ticket is not None
    # Processing again is a no-op.
    assert inbound_process(inbound=row, now=NOW).ticket_ref == row.ticket.ref
    assert Ticket.objects.count() == 1
