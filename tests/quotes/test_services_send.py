"""quote_send: validity, nonce, PDF, the email with signed links; and every refusal."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from operant.desk.models import Message, MessageKind
from operant.notify.models import Notification
from operant.quotes.errors import QuoteError
from operant.quotes.links import quote_link_check
from operant.quotes.models import Quote, QuoteState
from operant.quotes.services import quote_create, quote_line_add, quote_reopen, quote_send
from tests.quotes.conftest import OPENED, SENT

pytestmark = pytest.mark.django_db


def test_sending_starts_the_validity_and_emails_the_quote(draft, agent, data_dir) -> None:
    quote = quote_send(quote=draft, actor=agent, now=SENT)
    assert quote.state == QuoteState.SENT
    assert quote.sent_at == SENT
    assert quote.valid_until == SENT + timedelta(days=30)
    assert quote.expires_due_at == quote.valid_until
    assert re.fullmatch(r"[0-9a-f]{32}", quote.link_nonce)
    assert (quote.revision, quote.sent_to) == (1, "alice@acme-dental.example")
    pdf = data_dir / "quotes" / f"{quote.ref}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")

    notification = Notification.objects.get(kind="quotes.sent")
    assert notification.to == ["alice@acme-dental.example"]
    assert (
        notification.subject == f"Quote {quote.ref}: Instagram booking replies [{draft.ticket.ref}]"
    )
    assert notification.attachments == [
        {"filename": pdf.name, "content_type": "application/pdf", "path": str(pdf)}
    ]
    body = notification.body_text
    assert "Quoted separately under clause 02: New feature development." in body
    assert "Build the DM flow: 2 h at 125.00 USD = 250.00 USD" in body
    assert "Total: 250.00 USD" in body
    assert "Valid until: Thursday, December 31, 2026, 11:00 AM EST" in body
    urls = re.findall(r"http://desk\.test(/quotes/respond/\S+/)", body)
    assert len(urls) == 2
    actions = [quote_link_check(token=u.split("/")[3], now=SENT).action for u in urls]
    assert actions == ["accept", "decline"]

    message = Message.objects.get(ticket=draft.ticket, kind=MessageKind.OUTBOUND)
    assert (message.message_id, message.author) == (notification.message_id, agent)
    sent_event = quote.events.get(kind="sent")
    assert sent_event.data["total"] == "250.00"
    assert sent_event.data["policy_version"] == "2026-03-13"
    assert draft.ticket.events.filter(kind="quote_sent").exists()


def test_a_quote_without_a_ticket_goes_to_the_billing_email(client_a, agent) -> None:
    client_a.billing_email = "accounts@acme-dental.example"
    client_a.save()
    client_a.contacts.update(is_billing=False)
    quote = quote_create(
        client=client_a,
        title="Extra minutes",
        scope_category="allowance_overdraft",
        created_by=agent,
        now=OPENED,
    )
    quote_line_add(quote=quote, kind="hours", description="Adjustments", hours="0.5")
    quote_send(quote=quote, actor=agent, now=SENT)
    assert Notification.objects.get(kind="quotes.sent").to == ["accounts@acme-dental.example"]
    assert not Message.objects.exists()


def _unchanged(quote: Quote) -> None:
    quote.refresh_from_db()
    assert quote.state == QuoteState.DRAFT
    assert (quote.sent_at, quote.link_nonce, quote.revision) == (None, "", 0)
    assert not Notification.objects.filter(kind="quotes.sent").exists()
    assert not quote.events.filter(kind="sent").exists()


def test_a_quote_with_no_lines_is_refused(make_draft, agent) -> None:
    quote = make_draft(lines=False)
    with pytest.raises(QuoteError, match="has no line items"):
        quote_send(quote=quote, actor=agent, now=SENT)
    _unchanged(quote)


def test_a_currency_other_than_the_policys_is_refused(make_draft, agent) -> None:
    quote = make_draft(currency="EUR")
    with pytest.raises(QuoteError, match="is in EUR but the policy quotes in USD"):
        quote_send(quote=quote, actor=agent, now=SENT)
    _unchanged(quote)


def test_a_currency_other_than_the_packages_is_refused(make_draft, agent) -> None:
    quote = make_draft()
    package = quote.client.package
    package.currency = "GBP"
    package.save()
    with pytest.raises(QuoteError, match=r"package .* is billed in GBP"):
        quote_send(quote=quote, actor=agent, now=SENT)
    _unchanged(quote)


def test_a_client_we_cannot_reach_is_refused(client_a, agent) -> None:
    client_a.billing_email = ""
    client_a.save()
    client_a.contacts.update(is_billing=False)
    quote = quote_create(
        client=client_a,
        title="Extra minutes",
        scope_category="allowance_overdraft",
        created_by=agent,
        now=OPENED,
    )
    quote_line_add(quote=quote, kind="fixed", description="Adjustments", amount="60")
    with pytest.raises(QuoteError, match="has no address to send"):
        quote_send(quote=quote, actor=agent, now=SENT)
    _unchanged(quote)


def test_a_sent_quote_cannot_be_sent_again(sent, agent) -> None:
    with pytest.raises(QuoteError, match="is sent; cannot send"):
        quote_send(quote=sent, actor=agent, now=SENT)
    assert Notification.objects.filter(kind="quotes.sent").count() == 1


def test_reopening_and_sending_again_is_a_new_revision_with_new_links(sent, agent, data_dir):
    first_nonce = sent.link_nonce
    reopened = quote_reopen(quote=sent, actor=agent, now=SENT + timedelta(hours=1))
    assert (reopened.state, reopened.link_nonce, reopened.expires_due_at) == ("draft", "", None)
    quote_line_add(
        quote=reopened,
        kind="fixed",
        description="Testing",
        amount="100",
        now=SENT + timedelta(hours=1),
    )
    again = quote_send(quote=reopened, actor=agent, now=SENT + timedelta(hours=2))
    assert again.revision == 2
    assert again.link_nonce not in ("", first_nonce)
    assert (data_dir / "quotes" / f"{again.ref}.pdf").exists()  # revision 1 keeps its file
    assert (data_dir / "quotes" / f"{again.ref}-r2.pdf").exists()
    assert Notification.objects.filter(kind="quotes.sent").count() == 2
    assert [e.kind for e in again.events.all()][-3:] == ["reopened", "line_added", "sent"]


def test_without_a_billing_email_a_billing_contact_receives_it(client_a, agent) -> None:
    from operant.accounts.services import contact_add

    client_a.billing_email = ""
    client_a.save()
    client_a.contacts.update(is_billing=False)
    contact_add(client=client_a, email="books@acme-dental.example", is_billing=True)
    quote = quote_create(
        client=client_a,
        title="Extra minutes",
        scope_category="allowance_overdraft",
        created_by=agent,
        now=OPENED,
    )
    quote_line_add(quote=quote, kind="fixed", description="Adjustments", amount="60")
    assert quote_send(quote=quote, actor=agent, now=SENT).sent_to == "books@acme-dental.example"
