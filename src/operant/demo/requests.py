"""Demo support requests, fed through the real mail pipeline so they are triaged for real."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from operant.mail.models import InboundChannel
from operant.mail.receive import inbound_receive
from operant.mail.services import inbound_process

# (sender, subject, body, hours before now it arrived)
REQUESTS: list[tuple[str, str, str, float]] = [
    (
        "maria@brightsmile-dental.example",
        "Reminder texts stopped going out",
        "Hi team, since this morning none of our appointment reminder texts are going out. "
        "Patients are calling to ask. Can you look at it today?",
        1.5,
    ),
    (
        "tom@ironworks-fitness.example",
        "Small wording change on the waitlist text",
        "Could you change the wording of the waitlist text from 'A spot opened up!' to "
        "'Good news: a spot just opened in your class'? Thanks!",
        3,
    ),
    (
        "jess@harborpine-realty.example",
        "New feature: showing feedback survey",
        "We'd love to add a new feature: after each showing, send buyers a short feedback "
        "survey by text and collect the answers in a sheet. What would that cost?",
        20,
    ),
    (
        "tom@ironworks-fitness.example",
        "Can you set up WhatsApp for us?",
        "A lot of our members use WhatsApp. Can you set up WhatsApp messages for class reminders?",
        26,
    ),
    (
        "dr.chen@brightsmile-dental.example",
        "Question about the missed-call text-back",
        "How long after a missed call does the text-back go out? A patient asked.",
        30,
    ),
    (
        "someone@unknown-sender.example",
        "Do you build SMS bots?",
        "Hello, I found your address online. Do you build SMS bots for small businesses?",
        5,
    ),
]


def demo_message(index: int, sender: str, subject: str, body: str, at: datetime) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@operantco.com"
    message["Subject"] = subject
    message["Date"] = format_datetime(at)
    message["Message-ID"] = f"<demo-request-{index}@operant.example>"
    message.set_content(body)
    return message.as_bytes()


def demo_requests_seed(*, now: datetime) -> int:
    """Feed the demo requests through the pipeline; returns how many were new."""
    created = 0
    for index, (sender, subject, body, hours_ago) in enumerate(REQUESTS, start=1):
        at = now - timedelta(hours=hours_ago)
        row, is_new = inbound_receive(
            raw=demo_message(index, sender, subject, body, at), channel=InboundChannel.FILE, now=at
        )
        if is_new:
            inbound_process(inbound=row, now=at)
            created += 1
    return created
