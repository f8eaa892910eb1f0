"""A client's reply that says yes is held for an agent to confirm; anything else is not."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

import pytest

from operant.quotes import replies
from operant.quotes.models import Quote
from operant.quotes.replies import quote_reply_hook, says_yes
from tests.quotes.conftest import SENT

pytestmark = pytest.mark.django_db

LATER = SENT + timedelta(days=1)


@pytest.mark.parametrize(
    "text",
    [
        "Yes",
        "yes please!",
        "Accepted.",
        "We accept the quote, thanks.",
        "Go ahead.",
        "Approved - thanks Avery",
        "Looks good to us. Please go ahead\n\nSent from my phone",
        "YES, we accept Q-12",
    ],
)
def test_plain_acceptances_say_yes(text: str) -> None:
    assert says_yes(text)


@pytest.mark.parametrize(
    "text",
    [
        "No",
        "no thanks",
        "Not accepted.",
        "We do not accept this.",
        "We don't accept",
        "We won\u2019t go ahead",
        "Yes, but we cannot afford this month",
        "We decline.",
        "Can we go ahead next week?",
        "Is this approved?",
        "Please hold off for now",
        "Yesterday the texts stopped",
        "What does the migration include?",
        "",
    ],
)
def test_anything_else_does_not(text: str) -> None:
    assert not says_yes(text)


def test_a_yes_on_the_ticket_is_recorded_on_its_latest_sent_quote(sent, make_draft, agent):
    from operant.quotes.services import quote_send

    newer = quote_send(quote=make_draft(), actor=agent, now=SENT + timedelta(hours=1))
    assert quote_reply_hook(ticket=sent.ticket, text="Yes, go ahead", now=LATER) == 1
    newer.refresh_from_db()
    sent.refresh_from_db()
    assert (newer.reply_acceptance_at, sent.reply_acceptance_at) == (LATER, None)
    assert newer.events.get(kind="reply_acceptance").data["excerpt"] == "Yes, go ahead"
    assert sent.ticket.events.filter(kind="quote_accepted_by_reply").exists()


def test_a_yes_naming_a_quote_is_recorded_on_that_one(sent, make_draft, agent) -> None:
    from operant.quotes.services import quote_send

    newer = quote_send(quote=make_draft(), actor=agent, now=SENT + timedelta(hours=1))
    assert quote_reply_hook(ticket=sent.ticket, text=f"We accept {sent.ref}.", now=LATER) == 1
    assert Quote.objects.get(pk=sent.pk).reply_acceptance_at == LATER
    assert Quote.objects.get(pk=newer.pk).reply_acceptance_at is None


def test_a_no_or_a_ticket_without_sent_quotes_records_nothing(sent, oos_ticket, draft) -> None:
    assert quote_reply_hook(ticket=sent.ticket, text="Not accepted", now=LATER) == 0
    sent.refresh_from_db()
    assert sent.reply_acceptance_at is None


def test_the_hook_never_raises(sent, monkeypatch, caplog) -> None:
    def broken(**kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(replies, "quote_reply_acceptance_record", broken)
    assert quote_reply_hook(ticket=sent.ticket, text="Yes", now=LATER) == 0
    assert "quote reply check failed" in caplog.text


def _reply(ticket, body: str) -> bytes:
    message = EmailMessage()
    message["From"] = "Alice Adams <alice@acme-dental.example>"
    message["To"] = "support@operantco.com"
    message["Subject"] = f"Re: Quote Q-1 [{ticket.ref}]"
    message["Message-ID"] = "<reply-1@acme-dental.example>"
    message["Date"] = "Wed, 02 Dec 2026 10:00:00 -0500"
    message.set_content(body)
    return message.as_bytes()


def test_an_emailed_yes_reaches_the_quote_through_mail_routing(sent) -> None:
    from operant.mail.services import mail_ingest

    body = "Yes, go ahead!\n\nOn Tue, Operant wrote:\n> Here is our quote\n> Reply no to stop\n"
    outcome = mail_ingest(raw=_reply(sent.ticket, body), channel="file", now=LATER)
    assert outcome.ticket_ref == sent.ticket.ref
    sent.refresh_from_db()
    assert sent.reply_acceptance_at == LATER
    assert sent.state == "sent"  # an agent confirms it


def test_an_emailed_no_does_not(sent) -> None:
    from operant.mail.services import mail_ingest

    mail_ingest(raw=_reply(sent.ticket, "No, not now."), channel="file", now=LATER)
    sent.refresh_from_db()
    assert sent.reply_acceptance_at is None
