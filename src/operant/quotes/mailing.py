"""The emails of the quote workflow: the quote itself to the client, and word to the agent
when the client answers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from operant.desk.emails import threading_headers
from operant.desk.services import ticket_sent_record
from operant.notify.loops import LOOP_HEADER
from operant.notify.services import new_message_id, notification_queue
from operant.quotes.events import when
from operant.quotes.links import ACCEPT, DECLINE, quote_link_url
from operant.quotes.models import Quote, QuoteLine, lines_total
from operant.quotes.wording import line_rows, money, scope_statement

if TYPE_CHECKING:
    from operant.accounts.models import User
    from operant.notify.models import Notification
    from operant.policy.schema import Policy


def quote_recipient(quote: Quote) -> str:
    """Who receives the quote: the ticket's requester, else the client's billing address (the
    client's billing email, then a contact marked for billing). Blank when there is none."""
    if quote.ticket_id is not None and quote.ticket.requester_email:
        return quote.ticket.requester_email
    if quote.client.billing_email:
        return quote.client.billing_email
    billing = quote.client.contacts.filter(is_billing=True).order_by("pk").first()
    return billing.email if billing else ""


def quote_subject(quote: Quote) -> str:
    # The ticket reference in brackets threads the client's reply to the ticket (mail routing).
    subject = f"Quote {quote.ref}: {quote.title}"
    if quote.ticket_id is not None:
        subject += f" [{quote.ticket.ref}]"
    return subject


def _threading_headers(quote: Quote) -> dict[str, str]:
    # On a ticket, thread to the client's latest message there, as the desk's replies do.
    if quote.ticket_id is None:
        return {LOOP_HEADER: "1"}
    return threading_headers(quote.ticket)


def quote_email_text(quote: Quote, lines: Sequence[QuoteLine], policy: Policy) -> str:
    return render_to_string(
        "quotes/email/quote.txt",
        {
            "quote": quote,
            "lines": line_rows(quote, lines),
            "total": money(lines_total(lines), quote.currency),
            "scope": scope_statement(quote, policy),
            "valid_until": when(quote, quote.valid_until),
            "accept_url": quote_link_url(quote, ACCEPT),
            "decline_url": quote_link_url(quote, DECLINE),
            "policy_version": quote.policy_version.version if quote.policy_version else "",
            "organisation": policy.meta.organisation,
        },
    )


def quote_email_queue(
    *,
    quote: Quote,
    lines: Sequence[QuoteLine],
    policy: Policy,
    pdf: Path,
    actor: User,
    now: datetime,
) -> Notification | None:
    """Queue the quote to its recipient with the PDF attached; on a ticket, the email is also
    kept in the conversation (so the agent sees what was sent, and a reply threads to it)."""
    message_id = new_message_id()
    body = quote_email_text(quote, lines, policy)
    notification = notification_queue(
        kind="quotes.sent",
        to=[quote.sent_to],
        subject=quote_subject(quote),
        body_text=body,
        headers=_threading_headers(quote),
        message_id=message_id,
        # One email per revision, however often a retry calls this.
        dedupe_key=f"quote-sent:{quote.pk}:{quote.link_nonce}",
        attachments=[{"filename": pdf.name, "content_type": "application/pdf", "path": str(pdf)}],
        now=now,
    )
    if notification is not None and quote.ticket_id is not None:
        ticket_sent_record(
            ticket_id=quote.ticket_id, notification=notification, author=actor, text=body, now=now
        )
    return notification


def _console_url(quote: Quote) -> str:
    # Named, not imported: the quotes app knows no pages, and works without the console.
    try:
        path = reverse("console:quote", args=[quote.pk])
    except NoReverseMatch:
        return ""
    return settings.OPERANT_BASE_URL.rstrip("/") + path


def quote_decided_notify(*, quote: Quote, now: datetime) -> None:
    """Tell the agent who built the quote that the client answered through the link."""
    address = quote.created_by.email
    if not address:
        return
    notification_queue(
        kind="quotes.decided",
        to=[address],
        subject=f"{quote.ref} {quote.state} by {quote.client.name}: {quote.title}",
        body_text=render_to_string(
            "quotes/email/decided.txt",
            {
                "quote": quote,
                "total": money(quote.total(), quote.currency),
                "decided_at": when(quote, quote.decided_at),
                "page_url": _console_url(quote),
            },
        ),
        headers={LOOP_HEADER: "1"},
        dedupe_key=f"quote-decided:{quote.pk}",
        now=now,
    )
