"""Requests and replies a contact writes in the portal.

The portal is one more inbound channel, not a second way in: each submission becomes an RFC 5322
message from the contact to the support address and goes through ``inbound_receive`` and
``inbound_process`` like any email. Classification, threading, acknowledgement, loop and rate
rules therefore apply to the portal exactly as they do to mail, and the raw message is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import TYPE_CHECKING

from django.conf import settings

from operant.core.errors import UserError
from operant.mail.models import InboundChannel
from operant.mail.receive import Outcome, inbound_receive
from operant.mail.services import inbound_process
from operant.policy.loader import current_policy

if TYPE_CHECKING:
    from operant.accounts.models import Contact
    from operant.desk.models import Ticket

SUBJECT_LIMIT = 200
TEXT_LIMIT = 20_000


class PortalRequestInvalid(ValueError):
    """A user error: the contact can fix it and submit again (nothing was stored)."""


@dataclass(frozen=True)
class PortalOutcome(Outcome):
    """The pipeline's outcome, plus the ticket it landed in, so the page can go there."""

    ticket_id: int | None = None


def _support_address() -> str:
    """The policy's support address (clause 07); the sender's default when it can't say, since
    routing does not depend on the To header and a request must not fail over it."""

    try:
        return str(current_policy().contact.support_email)
    except (AttributeError, OSError, UserError):  # the policy page reports a broken file
        return settings.DEFAULT_FROM_EMAIL


def _thread_headers(ticket: Ticket) -> dict[str, str]:
    """In-Reply-To and References naming the ticket's stored messages, newest last, so the
    pipeline threads the reply even if the subject reference were edited away."""
    ids = list(
        ticket.messages.exclude(message_id=None)
        .exclude(message_id="")
        .exclude(kind="note")
        .order_by("created_at", "pk")
        .values_list("message_id", flat=True)
    )[-20:]
    if not ids:
        return {}
    wrapped = [f"<{i.strip('<>')}>" for i in ids]
    return {"In-Reply-To": wrapped[-1], "References": " ".join(wrapped)}


def portal_request_build(
    *, contact: Contact, subject: str, text: str, ticket: Ticket | None, now: datetime
) -> bytes:
    """The email a portal submission stands for: from the contact to support, fresh Message-ID;
    a reply carries "[OPR-n]" in its subject and the thread headers."""
    message = EmailMessage()
    message["From"] = Address(display_name=contact.name or "", addr_spec=contact.email)
    message["To"] = _support_address()
    if ticket is not None:
        message["Subject"] = f"Re: [{ticket.ref}] {ticket.subject}"[:998]
        for name, value in _thread_headers(ticket).items():
            message[name] = value
    else:
        message["Subject"] = subject
    message["Date"] = format_datetime(now)
    domain = contact.email.rpartition("@")[2] or "portal.invalid"
    message["Message-ID"] = make_msgid(idstring="portal", domain=domain)
    message["X-Operant-Channel"] = "portal"
    message.set_content(text.rstrip() + "\n")
    return message.as_bytes()


def _clean(subject: str, text: str, *, reply: bool) -> tuple[str, str]:
    subject = " ".join(subject.split())
    text = text.strip()
    if not reply and not subject:
        raise PortalRequestInvalid("Give your request a subject.")
    if len(subject) > SUBJECT_LIMIT:
        raise PortalRequestInvalid(f"Keep the subject under {SUBJECT_LIMIT} characters.")
    if not text:
        raise PortalRequestInvalid("Write what you need before sending.")
    if len(text) > TEXT_LIMIT:
        raise PortalRequestInvalid(f"Keep the message under {TEXT_LIMIT} characters.")
    return subject, text


def portal_request_submit(
    *,
    contact: Contact,
    subject: str,
    text: str,
    ticket: Ticket | None = None,
    now: datetime,
) -> PortalOutcome:
    """1. Check the input (a user error raises ``PortalRequestInvalid``, nothing stored).
    2. Refuse a reply on a ticket of another client outright, whatever threading would do.
    3. Build the email, store it on the "portal" channel, and process it at once.
    """
    subject, text = _clean(subject, text, reply=ticket is not None)
    if ticket is not None and ticket.client_id != contact.client_id:
        raise PortalRequestInvalid("That ticket is not one of your team's.")
    raw = portal_request_build(contact=contact, subject=subject, text=text, ticket=ticket, now=now)
    row, _ = inbound_receive(raw=raw, channel=InboundChannel.PORTAL, now=now)
    outcome = inbound_process(inbound=row, now=now)
    row.refresh_from_db(fields=["ticket"])
    return PortalOutcome(
        state=outcome.state,
        ticket_ref=outcome.ticket_ref,
        detail=outcome.detail,
        ticket_id=row.ticket_id,
    )
