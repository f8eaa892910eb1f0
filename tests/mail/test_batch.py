"""Batches of mail against the same messages one at a time (operant.mail.services).

Both go through the one routing decision; a batch reads its lookups once and writes in bulk.
The main test feeds the same varied message set through ``mail_ingest`` one by one and through
``mail_ingest_many`` into two fresh states of the database and compares everything a person or
a later job could see. The targeted tests pin the cases where a batch is easiest to get wrong:
state created earlier in the same batch, limits counted across it, and the fallback.
"""

from __future__ import annotations

import base64
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from bench._mailset import generate
from django.core.management.color import no_style
from django.db import connection

from operant.accounts.services import client_create
from operant.desk import writes as writes_module
from operant.desk.models import (
    Attachment,
    ClockPause,
    Message,
    MessageKind,
    Ticket,
    TicketEvent,
)
from operant.desk.services import ticket_clock_pause
from operant.mail.intake import inbound_receive_many, mail_ingest_many
from operant.mail.models import InboundMessage, InboundState
from operant.mail.parsepool import ParsePool
from operant.mail.receive import Outcome, inbound_receive
from operant.mail.routing import ACK_LIMIT_PER_HOUR
from operant.mail.services import inbound_process_batch, mail_ingest
from operant.notify.models import Notification

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 4, 15, 30, tzinfo=UTC)
SAMPLES = Path(__file__).parent / "samples"


def mail(
    *,
    sender: str = "alice@acme-dental.example",
    subject: str = "How do the reminders work?",
    body: str = "Hello, could you explain how the reminder texts are scheduled?",
    message_id: str | None = "m1@acme-dental.example",
    headers: dict[str, str] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = f"Someone <{sender}>"
    message["To"] = "support@operantco.com"
    message["Subject"] = subject
    message["Date"] = format_datetime(NOW)
    if message_id:
        message["Message-ID"] = f"<{message_id}>"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes()


# --- the same set through both paths ------------------------------------------------------------


def _reset_desk_tables() -> None:
    """Empty what ingestion writes and restart its key sequences, so the second run numbers
    tickets from 1 again (the set's [OPR-n] references assume that)."""
    models = [Attachment, Message, TicketEvent, ClockPause, Notification, InboundMessage, Ticket]
    for model in models:  # children first
        model.objects.all().delete()
    sequences = [{"table": model._meta.db_table, "column": "id"} for model in models]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_by_name_sql(no_style(), sequences):
            cursor.execute(sql)


def _ack_ids() -> dict[str, str]:
    """Our generated acknowledgement Message-IDs (random) mapped to stable names."""
    return {
        message_id: f"ack-of-{ticket_id}"
        for message_id, ticket_id in Message.objects.filter(
            kind=MessageKind.ACKNOWLEDGEMENT
        ).values_list("message_id", "ticket_id")
    }


def snapshot(outcomes: list[Outcome]) -> dict[str, Any]:
    """Everything the two paths must agree on, with random Message-IDs named stably."""
    acks = _ack_ids()
    tickets = []
    for ticket in Ticket.objects.select_related("client", "contact").order_by("pk"):
        tickets.append(
            {
                "pk": ticket.pk,
                "client": ticket.client.name if ticket.client else None,
                "contact": ticket.contact.email if ticket.contact else None,
                "requester": ticket.requester_email,
                "subject": ticket.subject,
                "class": ticket.request_class,
                "scope": ticket.scope_category,
                "clause": ticket.classification_clause,
                "reasons": ticket.classification_reasons,
                "policy_version": ticket.policy_version_id,
                "state": ticket.state,
                "clock": (ticket.clock_state, ticket.paused_seconds, ticket.pause_reason),
                "target": ticket.target_at,
                "limit": ticket.limit_at,
                "clock_due": ticket.clock_due_at,
                "times": (ticket.created_at, ticket.updated_at, ticket.last_message_at),
                "flagged": (ticket.flagged, ticket.flag_reason),
                "messages": dict(Counter(ticket.messages.values_list("kind", flat=True))),
                "events": [
                    (kind, data, version)
                    for kind, data, version in ticket.events.order_by("pk").values_list(
                        "kind", "data", "policy_version_id"
                    )
                ],
            }
        )
    messages = sorted(
        (
            m.ticket_id,
            m.kind,
            acks.get(m.message_id or "", m.message_id),
            m.from_address,
            m.from_name,
            m.to,
            m.subject,
            m.text,
            m.html,
            m.quoted_text_start,
            m.inbound.dedupe_key if m.inbound_id else None,
            m.notification_id is not None,
            [
                (a.filename, a.content_type, a.size, bytes(a.content or b""))
                for a in m.attachments.order_by("pk")
            ],
        )
        for m in Message.objects.select_related("inbound").prefetch_related("attachments")
    )
    notifications = [
        {
            "kind": n.kind,
            "to": n.to,
            "subject": n.subject,
            "body": n.body_text,
            "headers": n.headers,
            "message_id": acks.get(n.message_id, n.message_id),
            "dedupe_key": n.dedupe_key,
            "state": n.state,
            "due": (n.created_at, n.due_at),
        }
        for n in Notification.objects.order_by("pk")
    ]
    rows = list(
        InboundMessage.objects.order_by("dedupe_key").values_list(
            "dedupe_key", "state", "outcome", "ticket_id", "flagged", "attempts", "process_due_at"
        )
    )
    return {
        "outcomes": outcomes,
        "tickets": tickets,
        "messages": messages,
        "notifications": notifications,
        "rows": rows,
    }


def bounce_of(message_id: str) -> bytes:
    """A real Postfix delivery report, about the message with ``message_id``."""
    raw = (SAMPLES / "dsn_postfix.eml").read_bytes()
    raw = raw.replace(b"<20250314100005.7A1B2C3D@", b"<bounce-of-known@")  # a report of its own
    return raw.replace(b"<ticket-1077-ack@operant.test>", f"<{message_id}>".encode())


def relayed(raw: bytes) -> bytes:
    """``raw`` as another hop delivers it: a transport header on top, CRLF line endings."""
    hop = b"Received: from mx2.example by imap.example; Wed, 4 Mar 2026 15:30:09 +0000\n"
    return (hop + raw).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def extra_mails(first_client_email: str, known_id: str) -> list[bytes]:
    """Cases the generated set lacks: unreadable, bounces (of a stored message, and of ones we
    do not know), our own loop, a quote "yes", a message without Message-ID, a repeat, a
    redelivery by another hop, different mails reusing a Message-ID (the sender's own, another
    client's), robot senders, spam, and a Reply-To (the client's own, and a stranger's)."""
    no_id = mail(sender=first_client_email, subject="No id here", message_id=None)
    domain = first_client_email.rpartition("@")[2]
    asked = mail(sender=first_client_email, subject="Printer setup", message_id="ask-1@x")
    return [
        asked,
        relayed(asked),
        mail(
            sender=first_client_email,
            subject="Issue ASK-1 updated",
            body="Status changed to Waiting for support.",
            message_id="ask-1@x",
        ),
        mail(sender="stranger@elsewhere.example", body="Not the same mail.", message_id="ask-1@x"),
        mail(sender=f"noreply@{domain}", subject="Your invoice is ready", message_id="r-1@x"),
        mail(sender=f"notifications@{domain}", subject="New sign-in", message_id="r-2@x"),
        mail(
            sender=first_client_email,
            subject="Limited offer",
            message_id="s-1@x",
            headers={"X-Spam-Flag": "YES", "X-Spam-Status": "Yes, score=9.1"},
        ),
        mail(sender=first_client_email, subject="[SPAM 7.3] Cheap pills", message_id="s-2@x"),
        mail(
            sender=f"reception@{domain}",
            subject="Please answer the front desk",
            message_id="rt-1@x",
            headers={"Reply-To": f"Front Desk <frontdesk@{domain}>"},
        ),
        mail(
            sender=f"reception@{domain}",
            subject="Reply to my private address",
            message_id="rt-2@x",
            headers={"Reply-To": "someone@gmail.example"},
        ),
        b"",
        (SAMPLES / "bounce_gmail.eml").read_bytes(),
        (SAMPLES / "dsn_postfix.eml").read_bytes(),
        bounce_of(known_id),
        (SAMPLES / "broken_base64.eml").read_bytes(),
        mail(sender=first_client_email, message_id="loop-1@x", headers={"X-Operant-Loop": "1"}),
        mail(
            sender=first_client_email,
            subject="Re: thing [OPR-3]",
            body="Yes, go ahead please.",
            message_id="yes-1@x",
        ),
        no_id,
        no_id,
        *structure_repairs(first_client_email),
        *charset_repairs(first_client_email),
    ]


def structure_repairs(client_email: str) -> list[bytes]:
    """Mail the parser mends: a To: list folded without indentation (the sender lies below
    it), no From (the sender is in Reply-To), and text above the headers."""
    folded = mail(sender=client_email, subject="Folded badly", message_id="fold-1@x").replace(
        b"To: support@operantco.com\n", b"To: support@operantco.com,\nother@operantco.com\n"
    )
    no_from = mail(subject="No From here", message_id="nofrom-1@x").replace(
        b"From: Someone <alice@acme-dental.example>\n", f"Reply-To: <{client_email}>\n".encode()
    )
    pasted = b"---- Original email message ----\n" + mail(
        sender=client_email, subject="Pasted", message_id="pasted-1@x"
    )
    return [folded, no_from, pasted]


def charset_repairs(client_email: str) -> list[bytes]:
    """Mail whose characters the parser mends: a subject labelled GB2312 holding GBK
    characters, a raw Shift_JIS subject, and a UTF-8 body with one stray byte."""
    words = base64.b64encode("测试碁銹".encode("gb18030")).decode("ascii")
    labelled = mail(sender=client_email, subject="GB", message_id="gb-1@x").replace(
        b"Subject: GB", f"Subject: =?gb2312?b?{words}?=".encode()
    )
    raw_subject = mail(sender=client_email, subject="SJIS", message_id="sjis-1@x").replace(
        b"Subject: SJIS", b"Subject: " + "ツールの件".encode("shift_jis")
    )
    stray = mail(sender=client_email, subject="Stray byte", message_id="stray-1@x")
    head = stray[: stray.index(b"\n\n") + 2].replace(b'charset="utf-8"', b"charset=utf-8")
    stray = head.replace(b"Content-Transfer-Encoding: 7bit", b"Content-Transfer-Encoding: 8bit")
    stray += "Grüße aus Köln".encode() + b"\xff\n"
    return [labelled, raw_subject, stray]


def test_batch_gives_the_same_outcomes_and_state_as_one_by_one(catalog: None) -> None:
    mailset = generate(260, seed=7)
    for index, spec in enumerate(mailset.clients):
        # The first client also owns its domain: robot and Reply-To addresses resolve by it.
        domains = [spec.emails[0].rpartition("@")[2]] if index == 0 else []
        client_create(
            name=spec.name, package_key=spec.package_key, emails=spec.emails, domains=domains
        )
    raws = mailset.raws
    # A message that opens a ticket early in the set: its bounce flags that ticket.
    known_id = next(m.message_id for m in mailset.mails if m.kind == "new").strip("<>")
    extras = extra_mails(mailset.clients[0].emails[0], known_id)
    # The extras go in the middle and at the end: rare cases between batched rows.
    raws = raws[:130] + extras + raws[130:] + extras

    # Both runs number tickets from 1: earlier tests may have advanced PostgreSQL's sequences.
    _reset_desk_tables()
    one_by_one = [mail_ingest(raw=raw, channel="file", now=NOW) for raw in raws]
    expected = snapshot(one_by_one)
    _reset_desk_tables()
    batched = mail_ingest_many(raws=raws, channel="file", now=NOW, batch_size=40)
    actual = snapshot(batched)
    # The same again with the parsing done in a worker process, batches ahead.
    _reset_desk_tables()
    with ParsePool(workers=1) as pool:
        assert pool.parallel
        pooled = snapshot(
            mail_ingest_many(raws=raws, channel="file", now=NOW, batch_size=40, pool=pool)
        )

    # The set exercises what it should (threading both ways, limits, rare paths) ...
    details = Counter(re.sub(r"OPR-\d+", "OPR-n", o.detail) for o in one_by_one)
    assert details["reply threaded to OPR-n"] > 20
    assert details["new ticket OPR-n; acknowledgement held back (rate limit)"] > 0
    assert any(d.startswith("auto-reply") for d in details)
    assert any(d.startswith("unreadable") for d in details)
    assert any(d.startswith("bounce of a message on OPR-") for d in details)
    assert details["bounce for a message we do not know"] > 0
    assert details["new ticket from an unknown sender (unmatched queue)"] > 0
    assert len(raws) > InboundMessage.objects.count()  # redeliveries: stored once each
    # Redeliveries say so; the second set of extras is all redeliveries.
    stored_before = [d for d in details if d.startswith("already stored (inbound #")]
    assert sum(details[d] for d in stored_before) >= len(extras) + 2
    # A Message-ID reused by other mails: three rows, two tickets (the sender's, a stranger's).
    reused = InboundMessage.objects.filter(message_id="ask-1@x")
    assert reused.count() == 3
    assert len(set(reused.values_list("ticket_id", flat=True))) == 2
    subjects = set(Ticket.objects.values_list("subject", flat=True))
    assert {"测试碁銹", "ツールの件"} <= subjects
    assert InboundMessage.objects.get(message_id="stray-1@x").flagged
    withheld = [d for d in details if "no acknowledgement: " in d]
    assert sum("robot sender (" in d for d in withheld) == 2
    assert sum("spam " in d for d in withheld) == 2
    assert Ticket.objects.filter(flag_reason__startswith="not acknowledged: spam").count() == 2
    domain = mailset.clients[0].emails[0].rpartition("@")[2]
    acked = Notification.objects.filter(kind="desk.acknowledgement")
    assert acked.filter(to=[f"frontdesk@{domain}"]).count() == 1
    assert acked.filter(to=[f"reception@{domain}"]).count() == 1  # not the stranger's Reply-To
    # ... and both paths agree on every part of it.
    for key in expected:
        assert actual[key] == expected[key], key
        assert pooled[key] == expected[key], key


# --- targeted cases ------------------------------------------------------------------------------


def test_a_reply_to_a_message_earlier_in_the_batch_threads_to_its_new_ticket(client_a) -> None:
    outcomes = mail_ingest_many(
        raws=[
            mail(message_id="first@acme-dental.example"),
            mail(
                subject="Re: How do the reminders work?",
                body="Also the evening ones.",
                message_id="second@acme-dental.example",
                headers={"In-Reply-To": "<first@acme-dental.example>"},
            ),
        ],
        channel="file",
        now=NOW,
    )
    ticket = Ticket.objects.get()
    assert [o.state for o in outcomes] == [InboundState.PROCESSED, InboundState.PROCESSED]
    assert outcomes[1].detail == f"reply threaded to {ticket.ref}"
    assert ticket.messages.filter(kind=MessageKind.INBOUND).count() == 2
    assert list(ticket.events.order_by("pk").values_list("kind", flat=True)) == [
        "created",
        "classified",
        "client_replied",
    ]


def test_a_subject_reference_to_a_ticket_opened_earlier_in_the_batch_threads(client_a) -> None:
    first = mail_ingest_many(
        raws=[mail(message_id="one@acme-dental.example")], channel="file", now=NOW
    )
    # Keys are handed out in order: the next ticket opened is the one after this.
    next_ref = f"OPR-{int(first[0].ticket_ref.split('-')[1]) + 1}"
    outcomes = mail_ingest_many(
        raws=[
            mail(message_id="two@acme-dental.example", subject="Another question"),
            mail(message_id="three@acme-dental.example", subject=f"Re: Another [{next_ref}]"),
        ],
        channel="file",
        now=NOW,
    )
    assert outcomes[0].ticket_ref == next_ref
    assert outcomes[1].detail == f"reply threaded to {next_ref}"


def test_a_message_twice_in_one_batch_is_stored_once(client_a) -> None:
    raw = mail(message_id="dup@acme-dental.example")
    outcomes = mail_ingest_many(raws=[raw, raw], channel="file", now=NOW)
    row = InboundMessage.objects.get()
    assert Ticket.objects.count() == 1
    assert Message.objects.filter(kind=MessageKind.INBOUND).count() == 1
    ref = outcomes[0].ticket_ref
    assert outcomes[1] == Outcome(
        outcomes[0].state, ref, f"already stored (inbound #{row.pk}, processed on {ref})"
    )


def test_the_same_message_id_with_another_body_is_another_message(client_a) -> None:
    outcomes = mail_ingest_many(
        raws=[mail(body="First copy."), mail(body="Second, different copy.")],
        channel="file",
        now=NOW,
    )
    # Two rows (two content identities); the second threads onto the sender's own ticket.
    assert InboundMessage.objects.count() == 2
    assert outcomes[1].detail == f"reply threaded to {outcomes[0].ticket_ref}"
    assert Message.objects.filter(kind=MessageKind.INBOUND).count() == 2


def test_the_acknowledgement_limit_counts_across_the_batch(client_a) -> None:
    count = ACK_LIMIT_PER_HOUR + 2
    raws = [mail(message_id=f"n{i}@acme-dental.example", subject=f"Q {i}") for i in range(count)]
    outcomes = mail_ingest_many(raws=raws, channel="file", now=NOW, batch_size=3)
    acknowledged = [o.detail.endswith("acknowledged") for o in outcomes]
    assert acknowledged == [True] * ACK_LIMIT_PER_HOUR + [False] * 2
    assert Notification.objects.filter(kind="desk.acknowledgement").count() == ACK_LIMIT_PER_HOUR
    ack = Notification.objects.filter(kind="desk.acknowledgement").order_by("pk").first()
    assert ack.headers["In-Reply-To"] == "<n0@acme-dental.example>"
    assert ack.headers["X-Operant-Loop"] == "1"
    assert ack.dedupe_key == f"ack:{Ticket.objects.order_by('pk').first().pk}"


def test_references_never_cross_clients(client_a, client_c) -> None:
    mail_ingest_many(raws=[mail(message_id="a1@acme-dental.example")], channel="file", now=NOW)
    ticket_a = Ticket.objects.get()
    outcomes = mail_ingest_many(
        raws=[
            mail(
                sender="charlie@cobalt-gym.example",
                subject=f"Re: hello [{ticket_a.ref}]",
                message_id="c1@cobalt-gym.example",
                headers={"In-Reply-To": "<a1@acme-dental.example>"},
            )
        ],
        channel="file",
        now=NOW,
    )
    assert outcomes[0].ticket_ref != ticket_a.ref
    assert Ticket.objects.get(pk=int(outcomes[0].ticket_ref.split("-")[1])).client == client_c


def test_an_unknown_sender_opens_an_unmatched_ticket_without_acknowledgement(client_a) -> None:
    outcomes = mail_ingest_many(
        raws=[mail(sender="stranger@gmail.example", message_id="s1@gmail.example")],
        channel="file",
        now=NOW,
    )
    assert outcomes[0].detail == "new ticket from an unknown sender (unmatched queue)"
    assert Ticket.objects.get().client is None
    assert not Notification.objects.exists()


def test_a_reply_to_a_clock_paused_on_the_client_restarts_it(client_a) -> None:
    mail_ingest_many(raws=[mail(message_id="p1@acme-dental.example")], channel="file", now=NOW)
    ticket = ticket_clock_pause(
        ticket=Ticket.objects.get(), reason="waiting_on_client", actor=None, now=NOW
    )
    later = NOW.replace(hour=17)
    mail_ingest_many(
        raws=[
            mail(
                subject=f"Re: x [{ticket.ref}]",
                message_id="p2@acme-dental.example",
                body="Here is the information.",
            ),
            mail(subject=f"Re: x [{ticket.ref}]", message_id="p3@acme-dental.example"),
        ],
        channel="file",
        now=later,
    )
    ticket.refresh_from_db()
    assert ticket.clock_state == "running"
    assert ClockPause.objects.get().ended_at == later
    kinds = list(ticket.events.order_by("pk").values_list("kind", flat=True))
    assert kinds.count("client_replied") == 2


def test_a_failing_batch_is_rolled_back_and_processed_row_by_row(client_a, monkeypatch) -> None:
    calls = {"n": 0}
    real = writes_module.acknowledgement_content

    def fail_once(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("boom")
        return real(*args, **kwargs)

    monkeypatch.setattr(writes_module, "acknowledgement_content", fail_once)
    raws = [mail(message_id=f"f{i}@acme-dental.example", subject=f"Q {i}") for i in range(3)]
    outcomes = mail_ingest_many(raws=raws, channel="file", now=NOW)
    # The batch failed at its first acknowledgement and kept nothing; then each row alone.
    assert calls["n"] == 1 + 3
    assert [o.state for o in outcomes] == [InboundState.PROCESSED] * 3
    assert Ticket.objects.count() == 3
    assert Message.objects.filter(kind=MessageKind.INBOUND).count() == 3
    assert Notification.objects.count() == 3
    assert set(InboundMessage.objects.values_list("state", "attempts")) == {("processed", 0)}


def test_rows_another_worker_holds_are_left_to_it(client_a) -> None:
    received = inbound_receive_many(
        raws=[mail(message_id=f"h{i}@acme-dental.example") for i in range(2)],
        channel="file",
        now=NOW,
    )
    rows = [row for row, created in received]
    assert all(created for _, created in received)
    # Another worker claimed the second row a moment ago (lease not run out).
    InboundMessage.objects.filter(pk=rows[1].pk).update(
        state=InboundState.PROCESSING, process_due_at=NOW.replace(hour=16)
    )
    outcomes = inbound_process_batch(rows=rows, now=NOW)
    assert outcomes[0].state == InboundState.PROCESSED
    assert outcomes[1].detail == "being handled by another worker"


def test_settled_rows_answer_that_they_were_stored_before(client_a) -> None:
    row, _ = inbound_receive(raw=mail(), channel="file", now=NOW)
    first = inbound_process_batch(rows=[row], now=NOW)[0]
    again = inbound_process_batch(rows=[InboundMessage.objects.get(pk=row.pk)], now=NOW)[0]
    assert first.detail == f"new ticket {first.ticket_ref}, acknowledged"
    assert again == Outcome(
        first.state,
        first.ticket_ref,
        f"already stored (inbound #{row.pk}, processed on {first.ticket_ref})",
    )


def test_a_yes_to_a_sent_quote_is_recorded_as_on_the_per_row_path(client_a, agent) -> None:
    from operant.desk.services import ticket_reclassify
    from operant.quotes.models import Quote, QuoteState
    from operant.quotes.services import quote_create

    mail_ingest_many(raws=[mail(message_id="q0@acme-dental.example")], channel="file", now=NOW)
    ticket = ticket_reclassify(
        ticket=Ticket.objects.get(),
        request_class="out_of_scope",
        scope_category="new_feature",
        actor=agent,
        now=NOW,
    )
    quote = quote_create(
        client=client_a,
        ticket=ticket,
        title="Instagram booking replies",
        scope_category="new_feature",
        created_by=agent,
        now=NOW,
    )
    # Marked sent directly: this test is about mail routing, not the quote workflow.
    Quote.objects.filter(pk=quote.pk).update(
        state=QuoteState.SENT, sent_at=NOW, valid_until=NOW + timedelta(days=30)
    )
    later = NOW.replace(hour=18)
    outcomes = mail_ingest_many(
        raws=[
            mail(
                subject=f"Re: quote [{ticket.ref}]",
                message_id="q1@acme-dental.example",
                body="Yes, go ahead.",
            )
        ],
        channel="file",
        now=later,
    )
    assert outcomes[0].detail == f"reply threaded to {ticket.ref}"
    quote.refresh_from_db()
    assert quote.reply_acceptance_at == later
