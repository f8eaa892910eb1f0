"""The inbound pipeline for many messages at once, with the outcomes of the per-row path.

``route_and_apply`` costs about fifteen ORM statements per message, and on a slow interpreter
each statement is worth more than the routing logic itself. This module routes a batch with a
handful of set-based statements instead:

1. Receive (``operant.mail.intake.inbound_receive_many``): one SELECT finds the dedupe keys
   already stored, one INSERT stores the rest, committed before any processing (the
   raw-first guarantee of ``inbound_receive``).
2. Process (here, ``inbound_process_batch``), in ONE transaction: claim every row with one
   UPDATE, read what routing needs with one query per kind (senders, threads, known
   Message-IDs, recent acknowledgements, the policy, the integration catalog), walk the rows
   in order against in-memory indexes that also hold what earlier rows of the batch created,
   and write the results with bulk INSERTs and UPDATEs.
3. Rare cases (unreadable mail, bounces, replies to a clock paused on the client, replies that
   may accept a quote, ambiguous threads) are handed, in order, to the reference
   ``route_and_apply`` after the pending writes are flushed, so it sees exactly what it would
   have seen had every earlier row gone through it.
4. Anything unexpected rolls the whole batch back and the rows go through ``inbound_process``
   one by one: the batch is an optimisation, never a second behaviour.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction

from operant.accounts.models import Client, ClientDomain, Contact
from operant.accounts.services import sender_parts
from operant.core.bulk import bulk_insert, bulk_set, bulk_set_values
from operant.desk.classify import ClientContext, IntegrationInfo
from operant.desk.models import (
    ACK_KIND,
    Attachment,
    ClockState,
    Message,
    MessageKind,
    Ticket,
    TicketEvent,
    TicketState,
    ticket_ref,
)
from operant.desk.services import (
    PolicyInForce,
    acknowledgement_content,
    policy_in_force,
    ticket_build,
    ticket_open_events,
)
from operant.mail.models import InboundMessage, InboundState
from operant.mail.parse import ParsedMessage
from operant.mail.routing import (
    attachments_for,
    inbound_message_for,
    new_text,
    route_and_apply,
    same_party,
    thread_ids,
)
from operant.mail.services import (
    ACK_LIMIT_PER_HOUR,
    REF_IN_SUBJECT,
    SETTLED_STATES,
    Outcome,
    claim_rows,
    dedupe_key_for,
    inbound_process,
    parsed_message_of,
)
from operant.notify.models import Channel, Notification
from operant.notify.services import new_message_id
from operant.quotes.replies import says_yes

log = logging.getLogger(__name__)

# IN lists are cut to this many values: under every backend's parameter limit.
_IN_CHUNK = 900
# Ticket primary keys are 64-bit; a larger [OPR-n] finds nothing (as the per-row lookup does).
_MAX_PK = 2**63 - 1
# Stands for the ticket reference in an outcome detail until the ticket has its key.
_REF = "\x00ref\x00"


class _Rare(Exception):
    """This message needs the per-row reference path (raised before anything is recorded)."""


class _ClaimMismatch(Exception):
    """Another worker holds some of the rows: the batch steps aside for the per-row path."""


@dataclass
class _Result:
    state: str
    ticket: Ticket | None
    detail: str  # may hold _REF until the ticket is inserted

    def outcome(self) -> Outcome:
        ref = self.ticket.ref if self.ticket is not None else None
        return Outcome(self.state, ref, self.detail.replace(_REF, ref or ""))


def chunks(values: list[Any], size: int = _IN_CHUNK) -> list[list[Any]]:
    return [values[start : start + size] for start in range(0, len(values), size)]


def _subject_ref(parsed: ParsedMessage) -> int | None:
    match = REF_IN_SUBJECT.search(parsed.subject or "")
    return int(match.group(1)) if match else None


class _Batch:
    """One batch's routing state: what was read up front, and the writes not yet flushed."""

    def __init__(self, *, now: datetime, work: list[tuple[InboundMessage, ParsedMessage]]) -> None:
        self.now = now
        self.work = work
        # Each row's Message-ID as routing stores it, worked out once (without a Message-ID
        # header it is a hash of the whole raw message).
        self.message_ids = {row.pk: dedupe_key_for(bytes(row.raw), parsed) for row, parsed in work}
        self.in_force: PolicyInForce = policy_in_force()
        # Identity map: one object per ticket, so in-batch changes are seen by later rows.
        self.tickets: dict[int, Ticket] = {}
        # Message-ID -> ticket, for threading and duplicates: stored before the batch or in it.
        self.known: dict[str, Ticket] = {}
        self.contacts: dict[str, Contact] = {}
        self.domains: dict[str, Client] = {}
        self.contexts: dict[int, ClientContext] = {}
        self.recent_acks: Counter[str] = Counter()
        # Tickets with a sent quote awaiting a reply (what quote_reply_hook looks for).
        self.quoted: set[int] = set()
        # Pending writes, flushed in dependency order (tickets before what points at them).
        self.new_tickets: list[Ticket] = []
        self.events: list[TicketEvent] = []
        self.messages: list[tuple[Message, ParsedMessage]] = []
        self.acks: list[tuple[Ticket, str]] = []
        self.replied: dict[int, Ticket] = {}
        # Allowance balances by client, read when the first acknowledgement needs them.
        self.balances: dict[int | None, Any] = {}

    # --- reading, once per batch --------------------------------------------------------------

    def load(self) -> None:
        senders = [sender_parts(p.from_.address.lower()) if p.from_ else None for _, p in self.work]
        addresses = sorted({s[0] for s in senders if s})
        domains = sorted({s[1] for s in senders if s})
        # Contacts and domains first, then each of their clients once (with its package):
        # many senders share a client. Ordered like sender_resolve's .first(), so a
        # (theoretical) tie resolves the same way.
        client_of_domain: dict[str, int] = {}
        for chunk in chunks(addresses):
            for contact in Contact.objects.filter(email__in=chunk).order_by("name", "email"):
                self.contacts.setdefault(contact.email, contact)
        for chunk in chunks(domains):
            for domain, client_id in (
                ClientDomain.objects.filter(domain__in=chunk)
                .order_by("domain")
                .values_list("domain", "client_id")
            ):
                client_of_domain.setdefault(domain, client_id)
        client_ids = {c.client_id for c in self.contacts.values()} | set(client_of_domain.values())
        clients: dict[int, Client] = {}
        for chunk in chunks(sorted(client_ids)):
            clients.update(
                (c.pk, c) for c in Client.objects.select_related("package").filter(pk__in=chunk)
            )
        for contact in self.contacts.values():
            contact.client = clients[contact.client_id]
        self.domains = {domain: clients[pk] for domain, pk in client_of_domain.items()}

        refs = {r for _, p in self.work if (r := _subject_ref(p)) is not None and r <= _MAX_PK}
        for ticket in Ticket.objects.filter(pk__in=sorted(refs)):
            self.tickets[ticket.pk] = ticket
        ids = set()
        for _, parsed in self.work:
            ids.update(thread_ids(parsed))
        ids.update(self.message_ids.values())
        # (Message-ID, ticket key) pairs, then each ticket once: a reply-heavy batch names
        # many messages of few tickets, and building a model object costs more than its row.
        ticket_of: dict[str, int] = {}
        for chunk in chunks(sorted(ids)):
            ticket_of.update(
                Message.objects.filter(message_id__in=chunk).values_list("message_id", "ticket_id")
            )
        wanted = sorted(set(ticket_of.values()) - self.tickets.keys())
        for chunk in chunks(wanted):
            self.tickets.update((t.pk, t) for t in Ticket.objects.filter(pk__in=chunk))
        for message_id, ticket_id in ticket_of.items():
            self.known[message_id] = self.tickets[ticket_id]

        from operant.quotes.models import Quote, QuoteState

        self.quoted = set(
            Quote.objects.filter(
                ticket_id__in=list(self.tickets), state=QuoteState.SENT
            ).values_list("ticket_id", flat=True)
        )
        if any(s for s in senders):
            self._load_contexts()
            # The acknowledgements of the last hour, counted per recipient list as _ack_allowed
            # counts them (to == [address]).
            for (to,) in Notification.objects.filter(
                kind=ACK_KIND, created_at__gte=self.now - timedelta(hours=1)
            ).values_list("to"):
                if isinstance(to, list) and len(to) == 1 and isinstance(to[0], str):
                    self.recent_acks[to[0]] += 1

    def _load_contexts(self) -> None:
        """What client_context builds per ticket, built once per package for the batch."""
        from operant.accounts.models import Integration, ServicePackage

        catalog = list(Integration.objects.all())  # Meta ordering, as client_context sees it
        included: dict[int, set[int]] = {}
        through = ServicePackage.integrations.through.objects.values_list(
            "servicepackage_id", "integration_id"
        )
        for package_id, integration_id in through:
            included.setdefault(package_id, set()).add(integration_id)
        infos = [
            (i.pk, IntegrationInfo(key=i.key, name=i.name, vendor_key=i.vendor_key))
            for i in catalog
        ]
        clients = {c.pk: c for c in self.domains.values()}
        clients.update((c.client.pk, c.client) for c in self.contacts.values())
        policy = self.in_force.policy
        for client in clients.values():
            if client.package_id in self.contexts:
                continue
            mine = included.get(client.package_id, set())
            self.contexts[client.package_id] = ClientContext(
                included=tuple(info for pk, info in infos if pk in mine),
                catalog=tuple(info for _, info in infos),
                out_of_scope_keys=tuple(category.key for category in policy.out_of_scope),
                minor_request_limit_minutes=policy.allowance.minor_request_limit_minutes,
                package_name=client.package.name,
            )

    # --- routing, row by row in memory ----------------------------------------------------------

    def route(self, row: InboundMessage, parsed: ParsedMessage) -> _Result:
        try:
            return self._route(row, parsed)
        except _Rare:
            return self._reference(row)

    def _route(self, row: InboundMessage, parsed: ParsedMessage) -> _Result:
        if parsed.fatal or parsed.bounce:
            raise _Rare
        if parsed.loop_header:
            return _Result(InboundState.IGNORED, None, "our own message came back (loop header)")
        sender = parsed.from_.address.lower() if parsed.from_ else ""
        client, contact = self._resolve(sender)
        client_id = client.pk if client else None
        ticket = self._find_thread(parsed, client_id=client_id, sender=sender)
        message_id = self.message_ids[row.pk]
        if parsed.auto_reply:
            if ticket is not None:
                self._store(ticket, row, parsed, message_id)
            detail = f"auto-reply ({parsed.auto_reply_reason or 'headers'}): no acknowledgement"
            return _Result(InboundState.IGNORED, ticket, detail)
        if ticket is not None:
            if message_id in self.known:
                return _Result(InboundState.IGNORED, ticket, "duplicate of a stored message")
            waiting = (
                ticket.clock_state == ClockState.PAUSED
                and ticket.pause_reason == "waiting_on_client"
            )
            # A paused clock needs the pause closed and deadlines recomputed, and a "yes" on a
            # ticket with an open sent quote may accept it: both are rare and belong to the
            # reference path. Without such a quote quote_reply_hook records nothing.
            if waiting or (ticket.pk in self.quoted and says_yes(new_text(parsed))):
                raise _Rare
            self._store(ticket, row, parsed, message_id)
            self._client_replied(ticket)
            return _Result(InboundState.PROCESSED, ticket, f"reply threaded to {_REF}")
        if message_id in self.known:
            existing = self.known[message_id]
            return _Result(InboundState.IGNORED, existing, "duplicate of a stored message")
        ticket, verdict = ticket_build(
            client=client,
            contact=contact,
            requester_email=sender or "unknown@invalid",
            subject=parsed.subject,
            text=new_text(parsed),
            received_at=self.now,
            now=self.now,
            in_force=self.in_force,
            context=self.contexts[client.package_id] if client is not None else None,
        )
        self.new_tickets.append(ticket)
        self.events.extend(
            ticket_open_events(ticket, verdict, in_force=self.in_force, now=self.now)
        )
        self._store(ticket, row, parsed, message_id)
        if client is None:
            return _Result(
                InboundState.PROCESSED,
                ticket,
                "new ticket from an unknown sender (unmatched queue)",
            )
        if self.recent_acks[sender] < ACK_LIMIT_PER_HOUR:
            self.recent_acks[sender] += 1
            self.acks.append((ticket, message_id))
            return _Result(InboundState.PROCESSED, ticket, f"new ticket {_REF}, acknowledged")
        detail = f"new ticket {_REF}; acknowledgement held back (rate limit)"
        return _Result(InboundState.PROCESSED, ticket, detail)

    def _resolve(self, sender: str) -> tuple[Client | None, Contact | None]:
        parts = sender_parts(sender) if sender else None
        if parts is None:
            return None, None
        contact = self.contacts.get(parts[0])
        if contact is not None:
            return contact.client, contact
        return self.domains.get(parts[1]), None

    def _find_thread(
        self, parsed: ParsedMessage, *, client_id: int | None, sender: str
    ) -> Ticket | None:
        ref = _subject_ref(parsed)
        if ref is not None and ref <= _MAX_PK:
            ticket = self._ticket(ref)
            if ticket is not None and same_party(ticket, client_id, sender):
                return ticket
        found: list[Ticket] = []
        for message_id in thread_ids(parsed):
            ticket = self.known.get(message_id)
            if (
                ticket is not None
                and same_party(ticket, client_id, sender)
                and all(ticket is not other for other in found)
            ):
                found.append(ticket)
        if len(found) > 1:
            # The reference path takes whichever row the database returns first; only it
            # can give the same answer.
            raise _Rare
        return found[0] if found else None

    def _ticket(self, pk: int) -> Ticket | None:
        ticket = self.tickets.get(pk)
        if ticket is None and self.new_tickets:
            self._insert_new_tickets()  # it may be one this batch opened: the insert keys it
            ticket = self.tickets.get(pk)
        if ticket is None:
            # Not known before the batch nor opened in it: ask, as find_thread would.
            ticket = Ticket.objects.filter(pk=pk).first()
            if ticket is not None:
                from operant.quotes.models import Quote, QuoteState

                self.tickets[pk] = ticket
                if Quote.objects.filter(ticket_id=pk, state=QuoteState.SENT).exists():
                    self.quoted.add(pk)
        return ticket

    def _store(
        self, ticket: Ticket, row: InboundMessage, parsed: ParsedMessage, message_id: str
    ) -> None:
        """routing._store_message, pending: nothing when the Message-ID is already stored."""
        if message_id in self.known:
            return
        message = inbound_message_for(ticket, row, parsed, message_id=message_id, now=self.now)
        self.messages.append((message, parsed))
        self.known[message_id] = ticket

    def _client_replied(self, ticket: Ticket) -> None:
        """ticket_client_replied for a clock that is not paused on the client."""
        before = ticket.state
        ticket.state = TicketState.OPEN
        ticket.last_message_at = self.now
        ticket.updated_at = self.now
        if ticket.pk is not None:
            self.replied[ticket.pk] = ticket
        # else: opened earlier in this batch and not inserted yet; the insert carries the change
        self.events.append(
            TicketEvent(
                ticket=ticket, kind="client_replied", at=self.now, data={"from_state": before}
            )
        )

    def _reference(self, row: InboundMessage) -> _Result:
        """The per-row reference path, after everything before this row is written."""
        self.flush()
        outcome, ticket = route_and_apply(inbound=row, now=self.now)
        if ticket is not None:
            # It may have changed the ticket (clock, flag): later rows must see the stored one.
            if ticket.pk in self.tickets:
                self.tickets[ticket.pk].refresh_from_db()
            else:
                self.tickets[ticket.pk] = ticket
            ticket = self.tickets[ticket.pk]
            message_id = self.message_ids[row.pk]
            if (
                message_id not in self.known
                and Message.objects.filter(message_id=message_id).exists()
            ):
                self.known[message_id] = ticket
        return _Result(outcome.state, ticket, outcome.detail)

    # --- writing ------------------------------------------------------------------------------

    def _insert_new_tickets(self) -> None:
        """Give the tickets opened so far their keys; what points at them can wait."""
        bulk_insert(Ticket, self.new_tickets)
        for ticket in self.new_tickets:
            self.tickets[ticket.pk] = ticket
        self.new_tickets = []

    def flush(self) -> None:
        """Write what is pending, parents first; every list is one bulk statement."""
        if self.new_tickets:
            self._insert_new_tickets()
        if self.events:
            bulk_insert(TicketEvent, self.events)
            self.events = []
        if self.messages:
            bulk_insert(Message, [message for message, _ in self.messages])
            bulk_insert(
                Attachment,
                [a for message, parsed in self.messages for a in attachments_for(message, parsed)],
            )
            self.messages = []
        if self.acks:
            self._flush_acks()
        if self.replied:
            bulk_set(Ticket, self.replied.values(), ["state", "last_message_at", "updated_at"])
            self.replied = {}

    def _allowances(self, tickets: list[Ticket]) -> dict[int | None, Any]:
        """The allowance balances adjustment acknowledgements quote: one query per month
        (clients in different zones may be in different months at ``now``) instead of one
        per acknowledgement. Mail routing never changes a balance, so a balance read once per
        batch is what the per-row path reads per ticket."""
        from operant.allowance.services import allowance_balances, month_of

        by_month: dict[Any, dict[int, Client]] = {}
        for ticket in tickets:
            assert ticket.client is not None
            if ticket.client.pk in self.balances:
                continue
            month = month_of(client=ticket.client, when=self.now)
            by_month.setdefault(month, {})[ticket.client.pk] = ticket.client
        for month, clients in by_month.items():
            self.balances.update(allowance_balances(clients=list(clients.values()), month=month))
        return self.balances

    def _flush_acks(self) -> None:
        """ticket_acknowledge for every new ticket of the batch that gets one."""
        policy = self.in_force.policy
        balances = self._allowances([t for t, _ in self.acks if t.request_class == "adjustment"])
        notifications = []
        for ticket, request_message_id in self.acks:
            subject, body, headers = acknowledgement_content(
                ticket,
                policy,
                request_message_id,
                now=self.now,
                allowance=balances.get(ticket.client_id),
            )
            notifications.append(
                Notification(
                    channel=Channel.EMAIL,
                    kind=ACK_KIND,
                    to=[ticket.requester_email],
                    subject=subject,
                    body_text=body,
                    body_html="",
                    headers=dict(headers),
                    message_id=new_message_id(),
                    dedupe_key=f"ack:{ticket.pk}",
                    attachments=[],
                    created_at=self.now,
                    due_at=self.now,
                )
            )
        # A clash on a dedupe key raises: the batch rolls back and the per-row path decides.
        bulk_insert(Notification, notifications)
        bulk_insert(
            Message,
            [
                Message(
                    ticket=ticket,
                    kind=MessageKind.ACKNOWLEDGEMENT,
                    message_id=notification.message_id,
                    from_address=settings.DEFAULT_FROM_EMAIL,
                    to=[ticket.requester_email],
                    subject=notification.subject,
                    text=notification.body_text,
                    notification=notification,
                    created_at=self.now,
                )
                for (ticket, _), notification in zip(self.acks, notifications, strict=True)
            ],
        )
        self.acks = []


def _settled_outcome(row: InboundMessage) -> Outcome:
    """inbound_process's answer for a row that is already settled."""
    ref = ticket_ref(row.ticket_id) if row.ticket_id else None
    return Outcome(row.state, ref, row.outcome or "already handled")


def _process_claimed(
    work: list[tuple[InboundMessage, ParsedMessage]], now: datetime
) -> list[Outcome]:
    """Route and settle claimed rows (inside the caller's transaction)."""
    batch = _Batch(now=now, work=work)
    batch.load()
    results = [batch.route(row, parsed) for row, parsed in work]
    batch.flush()
    outcomes = [result.outcome() for result in results]
    # By key, not through the rows: the caller's objects stay untouched should this
    # transaction roll back.
    bulk_set_values(
        InboundMessage,
        ["state", "outcome", "ticket", "process_due_at"],
        (
            (
                row.pk,
                (
                    outcome.state,
                    outcome.detail[:255],
                    result.ticket.pk if result.ticket is not None else None,
                    None,
                ),
            )
            for (row, _), result, outcome in zip(work, results, outcomes, strict=True)
        ),
    )
    # route_and_apply flags readable-with-problems mail it finds unflagged (receive flags it
    # already, so this is nearly always empty).
    unflagged = [row.pk for row, parsed in work if parsed.problems and not row.flagged]
    if unflagged:
        InboundMessage.objects.filter(pk__in=unflagged).update(flagged=True)
    return outcomes


def inbound_process_batch(*, rows: list[InboundMessage], now: datetime) -> list[Outcome]:
    """``inbound_process`` for each row, in order, with the same outcomes, in one transaction.

    Settled rows answer as inbound_process does; a row given twice is processed once and then
    answers as a re-read row would. If the claim does not take every row (another worker has
    some) or anything fails, nothing of the batch is kept and each row goes through
    ``inbound_process`` on its own.
    """
    outcomes: list[Outcome | None] = [None] * len(rows)
    work: list[tuple[InboundMessage, ParsedMessage]] = []
    positions: list[int] = []
    repeats: list[int] = []
    seen: set[int] = set()
    for index, row in enumerate(rows):
        if row.pk in seen:
            repeats.append(index)
        elif row.state in SETTLED_STATES:
            outcomes[index] = _settled_outcome(row)
        else:
            seen.add(row.pk)
            work.append((row, parsed_message_of(row)))
            positions.append(index)
    if work:
        try:
            with transaction.atomic():
                if claim_rows([row.pk for row, _ in work], now) != len(work):
                    raise _ClaimMismatch
                for index, outcome in zip(positions, _process_claimed(work, now), strict=True):
                    outcomes[index] = outcome
        except Exception as exc:
            if isinstance(exc, _ClaimMismatch):
                log.info(
                    "batch of %s: some rows are not claimable; processing one by one", len(work)
                )
            else:
                log.exception("batch of %s failed; processing its rows one by one", len(work))
            for index, (row, _) in zip(positions, work, strict=True):
                outcomes[index] = inbound_process(inbound=row, now=now)
    for index in repeats:
        # As a second delivery of the same row would see it: read back, then processed.
        fresh = InboundMessage.objects.get(pk=rows[index].pk)
        outcomes[index] = inbound_process(inbound=fresh, now=now)
    return [outcome for outcome in outcomes if outcome is not None]
