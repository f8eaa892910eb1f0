"""No acknowledgements to robots or spam; a Reply-To is where one goes (operant.mail.routing).

Such mail still opens a ticket (nothing is lost), and the ticket's history says why the client
was not told; a client's mail a spam filter marked is also flagged for an agent.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from operant.desk.models import MessageKind, Ticket, TicketEvent
from operant.mail.intake import mail_ingest_many
from operant.mail.loops import robot_sender_reason, spam_reason
from operant.mail.parse import parse_message
from operant.mail.routing import ACK_LIMIT_PER_HOUR
from operant.mail.services import mail_ingest
from operant.notify.models import Notification
from tests.mail.test_pipeline import NOW, mail

pytestmark = pytest.mark.django_db

ACKS = Notification.objects.filter(kind="desk.acknowledgement")


def withheld_reasons() -> list[str]:
    return [
        data["reason"]
        for data in TicketEvent.objects.filter(kind="acknowledgement_withheld")
        .order_by("pk")
        .values_list("data", flat=True)
    ]


# --- the rules (pure) ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "noreply@acme-dental.example",
        "no-reply@acme-dental.example",
        "No_Reply@acme-dental.example",
        "donotreply@acme-dental.example",
        "do-not-reply@acme-dental.example",
        "notifications@acme-dental.example",
        "notification@acme-dental.example",
        "mailer@acme-dental.example",
        "mailer-daemon@acme-dental.example",
        "bounce@acme-dental.example",
        "bounces+12345@mail.acme-dental.example",
        "no-reply-billing@acme-dental.example",
    ],
)
def test_robot_addresses_are_recognised(address: str) -> None:
    assert robot_sender_reason([address]) == f"robot sender ({address})"


@pytest.mark.parametrize(
    "address",
    [
        "alice@acme-dental.example",
        "mailerlite@acme-dental.example",
        "bouncer@acme-dental.example",
        "notifier.jane@acme-dental.example",
        "reply@acme-dental.example",
    ],
)
def test_people_are_not_robots(address: str) -> None:
    assert robot_sender_reason([address]) is None


@pytest.mark.parametrize(
    ("headers", "subject", "reason"),
    [
        ({"x-spam-flag": ["YES"]}, "Hi", "spam filter verdict (X-Spam-Flag: YES)"),
        (
            {"x-spam-status": ["Yes, score=7.3 required=5.0"]},
            "Hi",
            "spam filter verdict (X-Spam-Status: Yes, score=7.3 required=5.0)",
        ),
        ({"x-spam": ["yes"]}, "Hi", "spam filter verdict (X-Spam: yes)"),
        ({}, "[SPAM] Cheap pills", "spam tag in the subject ([SPAM])"),
        ({}, "***SPAM*** Cheap pills", "spam tag in the subject (***SPAM***)"),
        ({}, "{Spam?} Cheap pills", "spam tag in the subject ({Spam?})"),
        ({}, "[SPAM 7.3] Cheap pills", "spam tag in the subject ([SPAM 7.3])"),
        ({}, "*****SPAM***** 12.1 Cheap pills", "spam tag in the subject (*****SPAM*****)"),
        ({}, " [Possible Spam] Hello", "spam tag in the subject ([Possible Spam])"),
    ],
)
def test_spam_verdicts_and_subject_tags_are_recognised(
    headers: dict[str, list[str]], subject: str, reason: str
) -> None:
    assert spam_reason(headers, subject) == reason


@pytest.mark.parametrize(
    ("headers", "subject"),
    [
        ({"x-spam-flag": ["NO"]}, "Hi"),
        ({"x-spam-status": ["No, score=-0.1 required=5.0"]}, "Hi"),
        ({}, "Our [SPAM] folder eats your mails"),
        ({}, "Spam filter question"),
        ({}, "[Spammy] newsletter"),
    ],
)
def test_clean_mail_and_talk_about_spam_are_not_spam(
    headers: dict[str, list[str]], subject: str
) -> None:
    assert spam_reason(headers, subject) is None


def test_the_parse_carries_both_reasons() -> None:
    parsed = parse_message(
        mail(
            sender="no-reply@acme-dental.example",
            headers={"X-Spam-Flag": "YES", "Reply-To": "alice@acme-dental.example"},
        )
    )
    assert parsed.spam_reason == "spam filter verdict (X-Spam-Flag: YES)"
    assert parsed.robot_sender == "robot sender (no-reply@acme-dental.example)"
    # A robot Reply-To counts too: an acknowledgement would go there.
    assert parse_message(mail(headers={"Reply-To": "noreply@acme-dental.example"})).robot_sender


# --- the pipeline --------------------------------------------------------------------------------


def test_robot_senders_from_a_clients_domain_get_tickets_but_no_acknowledgement(
    client_a,
) -> None:
    senders = [
        "noreply@acme-dental.example",
        "do-not-reply@acme-dental.example",
        "notifications@acme-dental.example",
    ]
    outcomes = [
        mail_ingest(
            raw=mail(sender=sender, subject=f"Notice {n}", message_id=f"robot-{n}@x"),
            channel="file",
            now=NOW,
        )
        for n, sender in enumerate(senders)
    ]

    assert Ticket.objects.filter(client=client_a).count() == 3
    assert not ACKS.exists()
    assert [o.detail for o in outcomes] == [
        f"new ticket {o.ticket_ref}; no acknowledgement: robot sender ({s})"
        for o, s in zip(outcomes, senders, strict=True)
    ]
    assert withheld_reasons() == [f"robot sender ({s})" for s in senders]
    assert not Ticket.objects.filter(flagged=True).exists()  # a robot's notice is no alarm


def test_spam_flagged_mail_from_a_clients_domain_gets_tickets_flagged_and_no_ack(
    client_a,
) -> None:
    raws = [
        mail(message_id="s1@x", subject="Offer", headers={"X-Spam-Flag": "YES"}),
        mail(message_id="s2@x", subject="Deal", headers={"X-Spam-Status": "Yes, score=12.5"}),
        mail(message_id="s3@x", subject="[SPAM] Cheap watches"),
        mail(message_id="s4@x", subject="*****SPAM***** 12.1 You won"),
    ]
    outcomes = mail_ingest_many(raws=raws, channel="file", now=NOW)

    tickets = Ticket.objects.filter(client=client_a)
    assert tickets.count() == 4
    assert not ACKS.exists()
    assert all("; no acknowledgement: spam " in o.detail for o in outcomes)
    assert tickets.filter(flagged=True).count() == 4
    flag = tickets.get(subject="Offer").flag_reason
    assert flag == "not acknowledged: spam filter verdict (X-Spam-Flag: YES)"
    assert len(withheld_reasons()) == 4
    # Nothing lost: each is on its ticket as the client's message.
    for ticket in tickets:
        assert ticket.messages.filter(kind=MessageKind.INBOUND).count() == 1


def test_a_reply_to_of_the_same_client_receives_the_acknowledgement(client_a) -> None:
    outcome = mail_ingest(
        raw=mail(headers={"Reply-To": "Front Desk <FrontDesk@acme-dental.example>"}),
        channel="file",
        now=NOW,
    )

    ack = ACKS.get()
    assert outcome.detail == f"new ticket {outcome.ticket_ref}, acknowledged"
    assert ack.to == ["frontdesk@acme-dental.example"]
    ticket = Ticket.objects.get()
    assert ticket.requester_email == "alice@acme-dental.example"  # the sender stays the sender
    assert ticket.messages.get(kind=MessageKind.ACKNOWLEDGEMENT).to == [
        "frontdesk@acme-dental.example"
    ]


def test_a_reply_to_outside_the_client_is_not_sent_the_clients_acknowledgement(
    client_a,
) -> None:
    mail_ingest(raw=mail(headers={"Reply-To": "someone@gmail.example"}), channel="file", now=NOW)

    assert ACKS.get().to == ["alice@acme-dental.example"]


def test_the_hourly_limit_counts_the_reply_to_that_receives_the_acks(client_a) -> None:
    def ask(n: int, sender: str) -> bytes:
        return mail(
            sender=sender,
            subject=f"Question {n}",
            message_id=f"q{n}@x",
            headers={"Reply-To": "frontdesk@acme-dental.example"},
        )

    # Different senders, one Reply-To: the limit protects the mailbox that gets the mail.
    for n in range(ACK_LIMIT_PER_HOUR + 2):
        sender = f"desk{n}@acme-dental.example"
        mail_ingest(raw=ask(n, sender), channel="file", now=NOW + timedelta(minutes=n))

    assert ACKS.filter(to=["frontdesk@acme-dental.example"]).count() == ACK_LIMIT_PER_HOUR
    assert Ticket.objects.count() == ACK_LIMIT_PER_HOUR + 2
