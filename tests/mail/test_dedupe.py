"""No silent drops: a redelivery is one message, a different mail under a reused Message-ID is
stored and routed as its own (operant.mail.identity, operant.mail.routing)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from operant.desk.models import Message, MessageKind, Ticket
from operant.mail.intake import mail_ingest_many
from operant.mail.models import InboundMessage, InboundState
from operant.mail.receive import inbound_receive
from operant.mail.services import inbound_process, mail_ingest
from operant.notify.models import Notification
from tests.mail.test_pipeline import NOW, mail

pytestmark = pytest.mark.django_db


def relayed(raw: bytes) -> bytes:
    """``raw`` as another hop delivers it: transport headers on top, CRLF line endings."""
    hops = (
        b"Received: from mx2.example by imap.example; Tue, 1 Dec 2026 10:00:05 -0500\n"
        b"Return-Path: <alice@acme-dental.example>\n"
        b"Delivered-To: support@operantco.com\n"
        b"X-Spam-Status: No, score=-0.2\n"
    )
    return (hops + raw).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def inbound_count(ticket: Ticket) -> int:
    return ticket.messages.filter(kind=MessageKind.INBOUND).count()


def test_a_redelivery_by_another_hop_is_one_message(client_a) -> None:
    raw = mail()
    first = mail_ingest(raw=raw, channel="smtp", now=NOW)
    again = mail_ingest(raw=relayed(raw), channel="imap", now=NOW + timedelta(seconds=5))

    row = InboundMessage.objects.get()
    assert row.message_id == "m1@acme-dental.example"
    assert again == type(again)(
        InboundState.PROCESSED,
        first.ticket_ref,
        f"already stored (inbound #{row.pk}, processed on {first.ticket_ref})",
    )
    assert Message.objects.filter(kind=MessageKind.INBOUND).count() == 1
    assert Notification.objects.count() == 1


def test_a_different_mail_reusing_the_message_id_threads_onto_the_senders_ticket(
    client_a,
) -> None:
    first = mail_ingest(raw=mail(body="The reminders stopped."), channel="file", now=NOW)
    reused = mail_ingest(
        raw=mail(subject="Issue updated", body="Status changed to In Progress."),
        channel="file",
        now=NOW,
    )

    ticket = Ticket.objects.get()
    assert reused.detail == f"reply threaded to {first.ticket_ref}"
    assert InboundMessage.objects.count() == 2
    assert set(InboundMessage.objects.values_list("message_id", flat=True)) == {
        "m1@acme-dental.example"
    }
    texts = ticket.messages.filter(kind=MessageKind.INBOUND).values_list("text", flat=True)
    assert sorted(texts) == ["Status changed to In Progress.", "The reminders stopped."]


def test_a_different_mail_reusing_another_clients_message_id_opens_its_own_ticket(
    client_a, client_c
) -> None:
    first = mail_ingest(raw=mail(), channel="file", now=NOW)
    other = mail_ingest(
        raw=mail(sender="charlie@cobalt-gym.example", body="Our door sensor is offline."),
        channel="file",
        now=NOW,
    )

    assert other.ticket_ref != first.ticket_ref
    assert other.detail == f"new ticket {other.ticket_ref}, acknowledged"
    theirs = Ticket.objects.get(client=client_c)
    assert inbound_count(theirs) == 1
    assert inbound_count(Ticket.objects.get(client=client_a)) == 1


def test_a_stranger_reusing_a_clients_message_id_lands_unmatched(client_a) -> None:
    mail_ingest(raw=mail(), channel="file", now=NOW)
    outcome = mail_ingest(
        raw=mail(sender="stranger@nowhere.example", body="Buy our list."), channel="file", now=NOW
    )

    assert outcome.detail == "new ticket from an unknown sender (unmatched queue)"
    assert Ticket.objects.filter(client=None).count() == 1


def test_a_batch_keeps_both_mails_under_one_message_id(client_a) -> None:
    raws = [mail(body="First text."), mail(body="Second text."), relayed(mail(body="First text."))]

    outcomes = mail_ingest_many(raws=raws, channel="file", now=NOW)

    rows = list(InboundMessage.objects.order_by("pk"))
    assert len(rows) == 2
    assert outcomes[1].detail == f"reply threaded to {outcomes[0].ticket_ref}"
    assert outcomes[2].detail == (
        f"already stored (inbound #{rows[0].pk}, processed on {outcomes[0].ticket_ref})"
    )


def test_mail_without_message_id_is_told_apart_by_content_not_bytes(client_a) -> None:
    raw = mail(message_id=None)
    mail_ingest(raw=raw, channel="file", now=NOW)
    mail_ingest(raw=relayed(raw), channel="imap", now=NOW)
    mail_ingest(raw=mail(message_id=None, body="Something else entirely."), channel="file", now=NOW)

    ids = list(InboundMessage.objects.order_by("pk").values_list("message_id", flat=True))
    assert len(ids) == 2
    assert all(i.startswith("sha256-") and i.endswith("@operant.invalid") for i in ids)
    assert ids[0] != ids[1]
    assert Message.objects.filter(kind=MessageKind.INBOUND).count() == 2


def test_a_row_whose_message_is_already_on_a_ticket_changes_nothing(client_a) -> None:
    # Processed once, then its state lost (restored from a backup, edited by hand): the
    # message already on the ticket decides, not the row's state.
    row, _ = inbound_receive(raw=mail(), channel="file", now=NOW)
    first = inbound_process(inbound=row, now=NOW)
    InboundMessage.objects.filter(pk=row.pk).update(
        state=InboundState.PENDING, process_due_at=NOW, outcome=""
    )

    again = inbound_process(inbound=InboundMessage.objects.get(pk=row.pk), now=NOW)

    assert again.state == InboundState.IGNORED
    assert again.detail == f"already stored on {first.ticket_ref}"
    assert Message.objects.filter(kind=MessageKind.INBOUND).count() == 1
    assert Notification.objects.count() == 1


def test_the_ingest_command_says_already_stored_for_a_redelivery(client_a, tmp_path) -> None:
    first, again, reused = tmp_path / "first.eml", tmp_path / "again.eml", tmp_path / "reused.eml"
    first.write_bytes(mail())
    again.write_bytes(relayed(mail()))
    reused.write_bytes(mail(body="A different mail under the same Message-ID."))
    out = StringIO()

    call_command("mail", "ingest", str(first), str(again), str(reused), stdout=out)

    ticket = Ticket.objects.get()
    row = InboundMessage.objects.order_by("pk").first()
    assert out.getvalue().splitlines() == [
        f"{first}: {ticket.ref} (new ticket {ticket.ref}, acknowledged)",
        f"{again}: {ticket.ref} (already stored (inbound #{row.pk}, processed on {ticket.ref}))",
        f"{reused}: {ticket.ref} (reply threaded to {ticket.ref})",
    ]
