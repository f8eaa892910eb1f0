"""Route stored inbound mail to tickets: the one decision tree of the pipeline.

Every message is routed here, whether it came alone (SMTP, the webhook, the portal: a batch of
one) or in a batch of a hundred (IMAP, ``operant mail ingest``). ``RoutingIndex`` reads what the
decisions need with one query per kind for the whole batch (senders, threads, known Message-IDs,
messages already stored from the batch's rows, tickets awaiting a quote reply, recent
acknowledgements, the client contexts with their evidence), and then keeps
up with the batch's own changes, so each message is routed as if every earlier one were
already stored. The changes go to the desk's ``TicketWrites`` and reach the database in a few
bulk statements.

The decision for one message (``Router.route``):

Redeliveries of one mail never reach this point: they share a row (``operant.mail.identity``).
A Message-ID is not proof of sameness: a different mail may reuse one, and is routed as its own.

1. Unreadable: the raw message stays, flagged, and the row fails.
2. Already on a ticket (a message there points at this row: processed before, its state not
   saved): changes nothing.
3. Our own loop header: ignored.
4. A bounce of a message we sent: its ticket is flagged for an agent; other bounces ignored.
5. The sender is matched to a contact, else to a client by domain, else unknown.
6. The thread: a ticket reference in the subject ([OPR-12]), then In-Reply-To and References
   (newest first) against stored and sent Message-IDs, then the message's own Message-ID when
   another mail with it is stored; never across clients.
7. An auto-reply is kept on its thread (if any) and never acknowledged.
8. A reply is stored on its ticket, which opens again; a clock waiting on the client runs
   again; a reply to a ticket with a sent quote may accept it (``quote_reply_hook``).
9. Otherwise a new ticket, classified and clocked. A known client's is acknowledged, unless a
   spam filter marked it (the ticket is flagged) or it came from a robot address (noreply@
   and the like, ``operant.mail.loops``): then its history says why there was none. The
   acknowledgement goes to the Reply-To when that is the same client's (a contact or one of
   its domains: the acknowledgement names the contact and the month's allowance), else to
   the sender; at most ``ACK_LIMIT_PER_HOUR`` an hour per recipient.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from operant.accounts.models import Client, ClientDomain, Contact
from operant.accounts.services import sender_parts
from operant.core.bulk import chunks
from operant.desk.classify import ClientContext
from operant.desk.context import client_contexts
from operant.desk.models import ACK_KIND, REF_PREFIX, Attachment, Message, MessageKind, Ticket
from operant.desk.services import ticket_build, tickets_for_routing
from operant.desk.writes import TicketWrites
from operant.mail.models import InboundMessage, InboundState
from operant.mail.parse import ParsedMessage
from operant.mail.receive import Outcome, keys_for
from operant.notify.services import notifications_sent_to
from operant.quotes.replies import quote_reply_hook, tickets_awaiting_quote_reply

if TYPE_CHECKING:
    from operant.policy.schema import Policy

# At most this many acknowledgements per recipient per hour: two auto-responders that slip past
# the header checks still cannot ping-pong for long.
ACK_LIMIT_PER_HOUR = 5
REF_IN_SUBJECT = re.compile(rf"\[{re.escape(REF_PREFIX)}-(\d+)\]", re.IGNORECASE)
# Ticket primary keys are 64-bit; a larger [OPR-n] names no ticket.
_MAX_PK = 2**63 - 1
# Stands for the ticket reference in an outcome detail until the ticket has its key.
_REF = "\x00ref\x00"


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


def thread_ids(parsed: ParsedMessage) -> list[str]:
    """The Message-IDs a reply names (In-Reply-To, then References newest first), at most 50."""
    return [i for i in [parsed.in_reply_to, *reversed(parsed.references)] if i][:50]


def subject_ref(parsed: ParsedMessage) -> int | None:
    """The ticket key a subject names ([OPR-12]), if any and if it can be a key."""
    match = REF_IN_SUBJECT.search(parsed.subject or "")
    if match is None:
        return None
    pk = int(match.group(1))
    return pk if pk <= _MAX_PK else None


def sender_of(parsed: ParsedMessage) -> str:
    return parsed.from_.address.lower() if parsed.from_ else ""


def reply_to_of(parsed: ParsedMessage) -> str:
    """The first Reply-To address, if any (lower case, as senders are matched)."""
    return next((a.address.lower() for a in parsed.reply_to if a.address), "")


@dataclass
class Routed:
    """One message's outcome; ``detail`` may hold the ticket reference placeholder until the
    ticket opened for it has its key."""

    state: str
    ticket: Ticket | None
    detail: str

    def outcome(self) -> Outcome:
        ref = self.ticket.ref if self.ticket is not None else None
        return Outcome(self.state, ref, self.detail.replace(_REF, ref or ""))


class RoutingIndex:
    """What routing a batch needs to know, read once up front and kept up to date as the
    batch opens tickets and stores messages."""

    def __init__(
        self,
        *,
        now: datetime,
        policy: Policy,
        work: list[tuple[InboundMessage, ParsedMessage]],
    ) -> None:
        self.now = now
        self.policy = policy
        # Each row's Message-ID as it is stored (without a header, one made from its content;
        # a row saved without one, by hand, gets it made now).
        self.message_ids = {
            row.pk: row.message_id or keys_for(bytes(row.raw), parsed).message_id
            for row, parsed in work
        }
        # One object per ticket, so a change made for one message is seen by the next.
        self.tickets: dict[int, Ticket] = {}
        # Message-ID -> the tickets with a message of that id, in the order they got it:
        # stored before the batch or in it. Senders reuse Message-IDs, so there may be several.
        self.known: dict[str, list[Ticket]] = {}
        # Message-ID -> key of its first message, for the messages stored before the batch.
        self.message_pks: dict[str, int] = {}
        # Row key -> the ticket a message made from that row is already on.
        self.stored: dict[int, Ticket] = {}
        self.contacts: dict[str, Contact] = {}
        self.domains: dict[str, Client] = {}
        self.contexts: dict[int, ClientContext] = {}
        self.recent_acks: Counter[str] = Counter()
        self.awaiting_quote_reply: set[int] = set()
        self._load(work)

    def _load(self, work: list[tuple[InboundMessage, ParsedMessage]]) -> None:
        """1. Senders: contacts and domains, then each of their clients once. 2. Threads: the
        Message-IDs named or stored, and the tickets they and subject references point at,
        each once and locked for this transaction. 3. What replies and acknowledgements need."""
        senders = {sender_of(parsed) for _, parsed in work} - {""}
        self._load_senders(senders | {reply_to_of(parsed) for _, parsed in work} - {""})
        ids: set[str] = set(self.message_ids.values())
        refs: set[int] = set()
        for _, parsed in work:
            ids.update(thread_ids(parsed))
            if parsed.bounced_message_id:
                ids.add(parsed.bounced_message_id)
            ref = subject_ref(parsed)
            if ref is not None:
                refs.add(ref)
        rows = {row.pk for row, _ in work}
        # Message-ID -> ticket keys, first stored first; row key -> ticket key.
        tickets_of: dict[str, list[int]] = {}
        stored: dict[int, int] = {}
        for chunk in chunks(sorted(ids)):
            for message_id, ticket_id, pk, inbound_id in (
                Message.objects.filter(message_id__in=chunk)
                .order_by("pk")
                .values_list("message_id", "ticket_id", "pk", "inbound_id")
            ):
                same_id = tickets_of.setdefault(message_id, [])
                if ticket_id not in same_id:
                    same_id.append(ticket_id)
                self.message_pks.setdefault(message_id, pk)
                # A row's own message has the row's Message-ID: this query finds it too.
                if inbound_id in rows:
                    stored[inbound_id] = ticket_id
        wanted = refs | {pk for pks in tickets_of.values() for pk in pks}
        self.tickets = tickets_for_routing(sorted(wanted))
        for message_id, ticket_ids in tickets_of.items():
            self.known[message_id] = [self.tickets[pk] for pk in ticket_ids]
        self.stored = {row: self.tickets[pk] for row, pk in stored.items()}
        self.awaiting_quote_reply = tickets_awaiting_quote_reply(list(self.tickets))
        # Acknowledgements go to the sender or the Reply-To: counted for both.
        recipients = senders | {reply_to_of(parsed) for _, parsed in work} - {""}
        if recipients:
            self.recent_acks = notifications_sent_to(
                kind=ACK_KIND, recipients=recipients, since=self.now - timedelta(hours=1)
            )

    def _load_senders(self, senders: set[str]) -> None:
        parts = [p for p in (sender_parts(s) for s in senders) if p]
        addresses = sorted({address for address, _ in parts})
        domains = sorted({domain for _, domain in parts})
        # Ordered so that a (theoretical) tie between two rows always resolves the same way.
        for chunk in chunks(addresses):
            for contact in Contact.objects.filter(email__in=chunk).order_by("name", "email"):
                self.contacts.setdefault(contact.email, contact)
        client_of_domain: dict[str, int] = {}
        for chunk in chunks(domains):
            for domain, client_id in (
                ClientDomain.objects.filter(domain__in=chunk)
                .order_by("domain")
                .values_list("domain", "client_id")
            ):
                client_of_domain.setdefault(domain, client_id)
        wanted = {c.client_id for c in self.contacts.values()} | set(client_of_domain.values())
        clients: dict[int, Client] = {}
        for chunk in chunks(sorted(wanted)):
            clients.update(
                (c.pk, c) for c in Client.objects.select_related("package").filter(pk__in=chunk)
            )
        for contact in self.contacts.values():
            contact.client = clients[contact.client_id]
        self.domains = {domain: clients[pk] for domain, pk in client_of_domain.items()}
        self.contexts = client_contexts(clients.values(), self.policy)

    def resolve(self, sender: str) -> tuple[Client | None, Contact | None]:
        """The sender's client and contact: a contact's address, else the client's domain."""
        parts = sender_parts(sender) if sender else None
        if parts is None:
            return None, None
        contact = self.contacts.get(parts[0])
        if contact is not None:
            return contact.client, contact
        return self.domains.get(parts[1]), None

    def ticket(self, pk: int, writes: TicketWrites) -> Ticket | None:
        """The ticket with key ``pk``: stored before the batch, or opened in it (whose key
        exists only once inserted: so the tickets opened so far are inserted first)."""
        ticket = self.tickets.get(pk)
        if ticket is None:
            for inserted in writes.insert_tickets():
                self.tickets[inserted.pk] = inserted
            ticket = self.tickets.get(pk)
        return ticket

    def thread(
        self,
        parsed: ParsedMessage,
        *,
        message_id: str,
        client_id: int | None,
        sender: str,
        writes: TicketWrites,
    ) -> Ticket | None:
        """The sender's own ticket the message belongs to: by subject reference, then by the
        first of its In-Reply-To and References (newest first) that we know, then by its own
        Message-ID (a different mail reusing it: a notifier writing about the same thing)."""
        ref = subject_ref(parsed)
        if ref is not None:
            ticket = self.ticket(ref, writes)
            if ticket is not None and same_party(ticket, client_id, sender):
                return ticket
        for named in [*thread_ids(parsed), message_id]:
            for ticket in self.known.get(named, ()):
                if same_party(ticket, client_id, sender):
                    return ticket
        return None

    def learn(self, message_id: str, ticket: Ticket) -> None:
        """A message with ``message_id`` is now on ``ticket`` (stored in this batch)."""
        same_id = self.known.setdefault(message_id, [])
        if ticket not in same_id:
            same_id.append(ticket)

    def ack_recipient(self, parsed: ParsedMessage, sender: str, client: Client) -> str:
        """Where the acknowledgement to ``client``'s new ticket goes: the Reply-To when it is
        the same client's, else the sender (an acknowledgement names the contact and the
        month's allowance: not for an address a forger chose)."""
        reply_to = reply_to_of(parsed)
        if reply_to and reply_to != sender and self.resolve(reply_to)[0] == client:
            return reply_to
        return sender


class Router:
    """Routes the messages of one batch, in order, into one ``TicketWrites``."""

    def __init__(self, *, index: RoutingIndex, writes: TicketWrites) -> None:
        self.index = index
        self.writes = writes
        self.now = index.now

    def route(self, row: InboundMessage, parsed: ParsedMessage) -> Routed:
        """The decision tree of the module docstring, steps 1 to 9."""
        if parsed.fatal:
            return Routed(InboundState.FAILED, None, "unreadable: " + "; ".join(parsed.problems))
        stored = self.index.stored.get(row.pk)
        if stored is not None:
            return Routed(InboundState.IGNORED, stored, f"already stored on {_REF}")
        if parsed.loop_header:
            return Routed(InboundState.IGNORED, None, "our own message came back (loop header)")
        if parsed.bounce:
            return self._bounce(row, parsed)
        sender = sender_of(parsed)
        client, contact = self.index.resolve(sender)
        client_id = client.pk if client else None
        message_id = self.index.message_ids[row.pk]
        ticket = self.index.thread(
            parsed, message_id=message_id, client_id=client_id, sender=sender, writes=self.writes
        )
        if parsed.auto_reply:
            if ticket is not None:
                self._store(ticket, row, parsed, message_id)
            detail = f"auto-reply ({parsed.auto_reply_reason or 'headers'}): no acknowledgement"
            return Routed(InboundState.IGNORED, ticket, detail)
        if ticket is not None:
            return self._reply(ticket, row, parsed, message_id)
        return self._open(client, contact, sender, row, parsed, message_id)

    def _bounce(self, row: InboundMessage, parsed: ParsedMessage) -> Routed:
        bounced = parsed.bounced_message_id
        tickets = self.index.known.get(bounced, []) if bounced else []
        # Our Message-IDs are unique: the first ticket with it is the one we wrote on.
        ticket = tickets[0] if tickets else None
        if ticket is None or bounced is None:
            return Routed(InboundState.IGNORED, None, "bounce for a message we do not know")
        self.writes.flag(
            ticket,
            reason="our email to the client bounced",
            event="bounce",
            data={
                "message": self.index.message_pks.get(bounced),
                "inbound": row.pk,
                "subject": parsed.subject,
            },
        )
        return Routed(InboundState.IGNORED, ticket, f"bounce of a message on {_REF}")

    def _reply(
        self, ticket: Ticket, row: InboundMessage, parsed: ParsedMessage, message_id: str
    ) -> Routed:
        self._store(ticket, row, parsed, message_id)
        self.writes.client_replied(ticket)
        if ticket.pk in self.index.awaiting_quote_reply:
            # The quote app reads the stored conversation: write what is pending first.
            self.writes.flush()
            quote_reply_hook(ticket=ticket, text=new_text(parsed), now=self.now)
        return Routed(InboundState.PROCESSED, ticket, f"reply threaded to {_REF}")

    def _open(
        self,
        client: Client | None,
        contact: Contact | None,
        sender: str,
        row: InboundMessage,
        parsed: ParsedMessage,
        message_id: str,
    ) -> Routed:
        ticket, verdict = ticket_build(
            client=client,
            contact=contact,
            requester_email=sender or "unknown@invalid",
            subject=parsed.subject,
            text=new_text(parsed),
            received_at=self.now,
            now=self.now,
            in_force=self.writes.in_force,
            context=self.index.contexts[client.pk] if client is not None else None,
        )
        self.writes.open(ticket, verdict)
        self._store(ticket, row, parsed, message_id)
        if client is None:
            detail = "new ticket from an unknown sender (unmatched queue)"
            return Routed(InboundState.PROCESSED, ticket, detail)
        withheld = parsed.spam_reason or parsed.robot_sender
        if withheld is not None:
            # A client's mail that a filter took for spam may be real: an agent looks.
            self.writes.acknowledgement_withheld(
                ticket, reason=withheld, flag=parsed.spam_reason is not None
            )
            return Routed(
                InboundState.PROCESSED, ticket, f"new ticket {_REF}; no acknowledgement: {withheld}"
            )
        recipient = self.index.ack_recipient(parsed, sender, client)
        if self.index.recent_acks[recipient] >= ACK_LIMIT_PER_HOUR:
            detail = f"new ticket {_REF}; acknowledgement held back (rate limit)"
            return Routed(InboundState.PROCESSED, ticket, detail)
        self.index.recent_acks[recipient] += 1
        self.writes.acknowledge(ticket, request_message_id=message_id, to=recipient)
        return Routed(InboundState.PROCESSED, ticket, f"new ticket {_REF}, acknowledged")

    def _store(
        self, ticket: Ticket, row: InboundMessage, parsed: ParsedMessage, message_id: str
    ) -> None:
        """Keep the mail in the ticket's conversation (once per row: step 2)."""
        message = Message(
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
            inbound=row,
            created_at=self.now,
        )
        attachments = [
            Attachment(
                message=message,
                filename=(a.filename or "attachment")[:255],
                content_type=a.content_type[:255],
                size=a.size,
                content=a.content,
            )
            for a in parsed.attachments
        ]
        self.writes.store_message(message, attachments)
        self.index.learn(message_id, ticket)
