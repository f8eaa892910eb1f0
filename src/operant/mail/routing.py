"""Route one stored inbound message to its ticket and apply it (called inside a transaction)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from operant.desk.models import ACK_KIND, Attachment, Message, MessageKind, Ticket, TicketEvent
from operant.mail.models import InboundMessage, InboundState
from operant.mail.parse import ParsedMessage
from operant.mail.services import ACK_LIMIT_PER_HOUR, REF_IN_SUBJECT, Outcome


def new_text(parsed: ParsedMessage) -> str:
    """The part the client wrote now, without the quoted history below it."""
    if parsed.quoted_text_start is None:
        return parsed.text
    return parsed.text[: parsed.quoted_text_start]


def same_party(ticket: Ticket, client_id: int | None, sender: str) -> bool:
    """Threading never crosses clients; an unknown sender threads only to its own tickets."""
    if client_id is not None:
        return ticket.client_id == client_id
    return ticket.client_id is None and ticket.requester_email.lower() == sender.lower()


def find_thread(parsed: ParsedMessage, *, client_id: int | None, sender: str) -> Ticket | None:
    """1. A ticket reference in the subject ([OPR-1234]). 2. In-Reply-To / References against
    the Message-IDs we stored or sent. Either way only within the sender's own client."""
    match = REF_IN_SUBJECT.search(parsed.subject or "")
    if match:
        ticket = Ticket.objects.filter(pk=int(match.group(1))).first()
        if ticket is not None and same_party(ticket, client_id, sender):
            return ticket
    ids = thread_ids(parsed)
    if ids:
        for message in Message.objects.filter(message_id__in=ids).select_related("ticket"):
            if same_party(message.ticket, client_id, sender):
                return message.ticket
    return None


def thread_ids(parsed: ParsedMessage) -> list[str]:
    """The Message-IDs a reply names (In-Reply-To, then References newest first), at most 50."""
    return [i for i in [parsed.in_reply_to, *reversed(parsed.references)] if i][:50]


def inbound_message_for(
    ticket: Ticket,
    inbound: InboundMessage,
    parsed: ParsedMessage,
    *,
    message_id: str,
    now: datetime,
) -> Message:
    """The (unsaved) ticket message that records this mail, with its fields cut to size."""
    return Message(
        ticket=ticket,
        kind=MessageKind.INBOUND,
        message_id=message_id,
        from_address=parsed.from_.address if parsed.from_ else "",
        from_name=(parsed.from_.name if parsed.from_ else "")[:255],
        to=[a.address for a in parsed.to][:50],
        subject=parsed.subject[:998],
        text=parsed.text,
        html=parsed.html or "",
        quoted_text_start=parsed.quoted_text_start,
        inbound=inbound,
        created_at=now,
    )


def attachments_for(message: Message, parsed: ParsedMessage) -> list[Attachment]:
    """The (unsaved) attachment rows of a stored message."""
    return [
        Attachment(
            message=message,
            filename=(a.filename or "attachment")[:255],
            content_type=a.content_type[:255],
            size=a.size,
            content=a.content,
        )
        for a in parsed.attachments
    ]


def _store_message(
    ticket: Ticket,
    inbound: InboundMessage,
    parsed: ParsedMessage,
    *,
    message_id: str,
    now: datetime,
) -> Message | None:
    """The ticket message for this mail, or None when it is already stored (a duplicate)."""
    message = inbound_message_for(ticket, inbound, parsed, message_id=message_id, now=now)
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        return None
    Attachment.objects.bulk_create(attachments_for(message, parsed))
    return message


def _ack_allowed(address: str, now: datetime) -> bool:
    from operant.notify.models import Notification

    recent = Notification.objects.filter(
        kind=ACK_KIND, to=[address], created_at__gte=now - timedelta(hours=1)
    ).count()
    return recent < ACK_LIMIT_PER_HOUR


def _bounce(
    parsed: ParsedMessage, inbound: InboundMessage, now: datetime
) -> tuple[Outcome, Ticket | None]:
    message = None
    if parsed.bounced_message_id:
        message = Message.objects.filter(message_id=parsed.bounced_message_id).first()
    if message is None:
        return Outcome(InboundState.IGNORED, None, "bounce for a message we do not know"), None
    ticket = message.ticket
    TicketEvent.objects.create(
        ticket=ticket,
        kind="bounce",
        at=now,
        data={"message": message.pk, "inbound": inbound.pk, "subject": parsed.subject},
    )
    Ticket.objects.filter(pk=ticket.pk).update(
        flagged=True, flag_reason="our email to the client bounced", updated_at=now
    )
    return Outcome(InboundState.IGNORED, ticket.ref, f"bounce of a message on {ticket.ref}"), ticket


def route_and_apply(*, inbound: InboundMessage, now: datetime) -> tuple[Outcome, Ticket | None]:
    from operant.accounts.services import sender_resolve
    from operant.desk.services import ticket_acknowledge, ticket_client_replied, ticket_open
    from operant.mail.services import dedupe_key_for, parsed_message_of
    from operant.quotes.replies import quote_reply_hook

    raw = bytes(inbound.raw)
    parsed = parsed_message_of(inbound)
    if parsed.fatal:
        InboundMessage.objects.filter(pk=inbound.pk).update(flagged=True)
        return Outcome(InboundState.FAILED, None, "unreadable: " + "; ".join(parsed.problems)), None
    if parsed.problems and not inbound.flagged:
        InboundMessage.objects.filter(pk=inbound.pk).update(flagged=True)
    if parsed.loop_header:
        return Outcome(InboundState.IGNORED, None, "our own message came back (loop header)"), None
    if parsed.bounce:
        return _bounce(parsed, inbound, now)
    sender = parsed.from_.address.lower() if parsed.from_ else ""
    match = sender_resolve(address=sender) if sender else None
    client = match.client if match else None
    contact = match.contact if match else None
    ticket = find_thread(parsed, client_id=client.pk if client else None, sender=sender)
    message_id = dedupe_key_for(raw, parsed)
    if parsed.auto_reply:
        if ticket is not None:
            _store_message(ticket, inbound, parsed, message_id=message_id, now=now)
        detail = f"auto-reply ({parsed.auto_reply_reason or 'headers'}): no acknowledgement"
        return Outcome(InboundState.IGNORED, ticket.ref if ticket else None, detail), ticket
    if ticket is not None:
        if _store_message(ticket, inbound, parsed, message_id=message_id, now=now) is None:
            return Outcome(
                InboundState.IGNORED, ticket.ref, "duplicate of a stored message"
            ), ticket
        ticket_client_replied(ticket=ticket, now=now)
        quote_reply_hook(ticket=ticket, text=new_text(parsed), now=now)  # guarded; never raises
        return Outcome(
            InboundState.PROCESSED, ticket.ref, f"reply threaded to {ticket.ref}"
        ), ticket
    stored = Message.objects.select_related("ticket").filter(message_id=message_id).first()
    if stored is not None:
        existing = stored.ticket
        return Outcome(
            InboundState.IGNORED, existing.ref, "duplicate of a stored message"
        ), existing
    ticket = ticket_open(
        client=client,
        contact=contact,
        requester_email=sender or "unknown@invalid",
        subject=parsed.subject,
        text=new_text(parsed),
        received_at=now,
        now=now,
    )
    _store_message(ticket, inbound, parsed, message_id=message_id, now=now)
    if client is None:
        return Outcome(
            InboundState.PROCESSED,
            ticket.ref,
            "new ticket from an unknown sender (unmatched queue)",
        ), ticket
    if _ack_allowed(sender, now):
        ticket_acknowledge(ticket=ticket, now=now, request_message_id=message_id)
        detail = f"new ticket {ticket.ref}, acknowledged"
    else:
        detail = f"new ticket {ticket.ref}; acknowledgement held back (rate limit)"
    return Outcome(InboundState.PROCESSED, ticket.ref, detail), ticket
