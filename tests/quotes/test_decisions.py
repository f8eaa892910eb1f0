"""Accept, decline, reopen and expire: every transition, and every refusal leaves the quote as
it was."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from operant.notify.models import Notification
from operant.quotes.errors import QuoteError
from operant.quotes.models import Quote, QuoteState
from operant.quotes.services import (
    quote_accept,
    quote_decline,
    quote_expire_due,
    quote_reopen,
    quote_reply_acceptance_dismiss,
    quote_reply_acceptance_record,
)
from tests.quotes.conftest import SENT

pytestmark = pytest.mark.django_db

LATER = SENT + timedelta(days=2)
AFTER_VALIDITY = SENT + timedelta(days=30, seconds=1)


def _state(quote: Quote) -> tuple[str, object, str]:
    quote.refresh_from_db()
    return quote.state, quote.decided_at, quote.decided_via


def test_the_client_accepts_through_the_link(sent) -> None:
    quote = quote_accept(quote=sent, via="link", now=LATER, nonce=sent.link_nonce)
    assert (quote.state, quote.decided_at, quote.decided_via) == ("accepted", LATER, "link")
    assert quote.expires_due_at is None
    event = quote.events.get(kind="accepted")
    assert event.data["via"] == "link"
    assert event.data["total"] == "250.00"
    assert sent.ticket.events.filter(kind="quote_accepted").exists()
    # The agent who built it hears of it.
    [note] = Notification.objects.filter(kind="quotes.decided")
    assert note.to == ["agent@operant.test"]
    assert note.subject.startswith(f"{quote.ref} accepted by Acme Dental")


def test_an_agent_records_an_acceptance_given_by_phone(sent, agent) -> None:
    quote = quote_accept(quote=sent, via="agent", actor=agent, now=LATER)
    assert (quote.state, quote.decided_via) == ("accepted", "agent")
    assert quote.events.get(kind="accepted").actor == agent
    assert not Notification.objects.filter(kind="quotes.decided").exists()


def test_an_agent_must_be_named_for_an_answer_outside_the_link(sent) -> None:
    with pytest.raises(QuoteError, match="an agent must record"):
        quote_accept(quote=sent, via="agent", now=LATER)
    with pytest.raises(QuoteError, match="unknown way 'fax'"):
        quote_accept(quote=sent, via="fax", now=LATER)
    assert _state(sent) == ("sent", None, "")


def test_the_client_declines_with_a_reason(sent) -> None:
    quote = quote_decline(quote=sent, via="link", now=LATER, reason=" Too   expensive ")
    assert (quote.state, quote.decided_via) == ("declined", "link")
    assert quote.events.get(kind="declined").data["reason"] == "Too expensive"


@pytest.mark.parametrize(
    ("first", "message"),
    [
        ("accept", "was already accepted on"),
        ("decline", "was declined on"),
    ],
)
def test_a_decided_quote_refuses_every_further_answer(sent, agent, first, message) -> None:
    decide = quote_accept if first == "accept" else quote_decline
    decide(quote=sent, via="link", now=LATER)
    before = _state(sent)
    for action in (quote_accept, quote_decline):
        with pytest.raises(QuoteError, match=message):
            action(quote=sent, via="agent", actor=agent, now=LATER + timedelta(hours=1))
    with pytest.raises(QuoteError, match=message):
        quote_reopen(quote=sent, actor=agent, now=LATER)
    assert _state(sent) == before
    assert sent.events.filter(kind__in=["accepted", "declined"]).count() == 1


def test_a_draft_cannot_be_accepted(draft, agent) -> None:
    with pytest.raises(QuoteError, match="is a draft that has not been sent; cannot accept"):
        quote_accept(quote=draft, via="agent", actor=agent, now=LATER)
    assert _state(draft) == ("draft", None, "")


def test_accepting_after_the_validity_is_refused_even_before_the_worker_runs(sent, agent):
    with pytest.raises(QuoteError, match="expired on Thursday, December 31, 2026"):
        quote_accept(quote=sent, via="agent", actor=agent, now=AFTER_VALIDITY)
    assert _state(sent) == ("sent", None, "")


def test_a_link_of_an_older_revision_cannot_accept(sent) -> None:
    with pytest.raises(QuoteError, match="was revised"):
        quote_accept(quote=sent, via="link", now=LATER, nonce="0" * 32)
    assert _state(sent) == ("sent", None, "")


def test_the_expiry_job_expires_once_however_often_it_runs(sent, make_draft) -> None:
    other = make_draft()  # a draft: never due
    assert quote_expire_due(now=SENT + timedelta(days=29)) == 0
    assert quote_expire_due(now=AFTER_VALIDITY) == 1
    assert quote_expire_due(now=AFTER_VALIDITY) == 0
    sent.refresh_from_db()
    assert (sent.state, sent.expires_due_at) == ("expired", None)
    assert sent.events.filter(kind="expired").count() == 1
    assert sent.ticket.events.filter(kind="quote_expired").count() == 1
    other.refresh_from_db()
    assert other.state == "draft"


def test_an_expired_quote_refuses_answers_and_may_be_reopened(sent, agent) -> None:
    quote_expire_due(now=AFTER_VALIDITY)
    with pytest.raises(QuoteError, match="expired on"):
        quote_accept(quote=sent, via="agent", actor=agent, now=AFTER_VALIDITY)
    with pytest.raises(QuoteError, match="expired on"):
        quote_decline(quote=sent, via="agent", actor=agent, now=AFTER_VALIDITY)
    quote = quote_reopen(quote=sent, actor=agent, now=AFTER_VALIDITY)
    assert quote.state == "draft"
    assert quote.events.get(kind="reopened").data == {"from": "expired"}


def test_a_draft_cannot_be_reopened(draft, agent) -> None:
    with pytest.raises(QuoteError, match="cannot reopen"):
        quote_reopen(quote=draft, actor=agent, now=LATER)


def test_a_reply_acceptance_waits_for_an_agent_and_holds_off_expiry(sent, agent) -> None:
    assert quote_reply_acceptance_record(quote=sent, now=LATER, excerpt="Yes, go ahead")
    assert not quote_reply_acceptance_record(quote=sent, now=LATER)  # once
    sent.refresh_from_db()
    assert (sent.state, sent.reply_acceptance_at, sent.expires_due_at) == ("sent", LATER, None)
    assert sent.awaiting_confirmation
    # The client answered in time, so the worker leaves it, and the agent may confirm later.
    assert quote_expire_due(now=AFTER_VALIDITY) == 0
    quote = quote_accept(quote=sent, via="reply", actor=agent, now=AFTER_VALIDITY)
    assert (quote.state, quote.decided_via) == ("accepted", "reply")
    replied_at = quote.events.get(kind="accepted").data["replied_at"]
    assert datetime.fromisoformat(replied_at) == LATER


def test_confirming_a_reply_needs_a_reply_acceptance(sent, agent) -> None:
    with pytest.raises(QuoteError, match="no reply acceptance to confirm"):
        quote_accept(quote=sent, via="reply", actor=agent, now=LATER)
    with pytest.raises(QuoteError, match="only an acceptance"):
        quote_decline(quote=sent, via="reply", actor=agent, now=LATER)
    assert _state(sent) == ("sent", None, "")


def test_a_reply_after_the_validity_is_not_recorded(sent) -> None:
    assert not quote_reply_acceptance_record(quote=sent, now=AFTER_VALIDITY)
    sent.refresh_from_db()
    assert sent.reply_acceptance_at is None


def test_dismissing_a_reply_acceptance_lets_the_quote_expire_again(sent, agent) -> None:
    quote_reply_acceptance_record(quote=sent, now=LATER)
    quote = quote_reply_acceptance_dismiss(quote=sent, actor=agent, now=LATER)
    assert (quote.reply_acceptance_at, quote.expires_due_at) == (None, quote.valid_until)
    with pytest.raises(QuoteError, match="no reply acceptance to dismiss"):
        quote_reply_acceptance_dismiss(quote=sent, actor=agent, now=LATER)
    assert quote_expire_due(now=AFTER_VALIDITY) == 1


def test_the_worker_runs_the_expiry_job(sent) -> None:
    from operant.core.worker import JOBS, WorkerLoop

    assert "quotes.expire" in JOBS
    loop = WorkerLoop(jobs={"quotes.expire": JOBS["quotes.expire"]})
    assert loop.run_once(now=AFTER_VALIDITY) == 1
    assert loop.run_once(now=AFTER_VALIDITY) == 0
    sent.refresh_from_db()
    assert sent.state == QuoteState.EXPIRED
