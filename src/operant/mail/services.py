"""The inbound mail pipeline: store raw → parse → route → apply (architecture 4.6).

``inbound_receive`` is all a channel adapter (IMAP, SMTP, webhook, CLI) calls; it commits the
raw bytes before anything else can fail. ``inbound_process`` turns one stored message into a
ticket change, exactly once: the claim, the ticket change and the settled state commit together,
so a worker killed at any point leaves the row pending, to be retried, never half-applied.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from operant.mail.models import InboundChannel, InboundMessage, InboundState
from operant.mail.parse import ParsedMessage, fallback_message_id, parse_message

log = logging.getLogger(__name__)

# A stuck "processing" row (its worker died) is retried after this long.
PROCESS_LEASE = timedelta(minutes=2)
MAX_PROCESS_ATTEMPTS = 5
# At most this many acknowledgements per sender per hour: two auto-responders that slip past
# the header checks still cannot ping-pong for long.
ACK_LIMIT_PER_HOUR = 5
REF_IN_SUBJECT = re.compile(r"\[OPR-(\d+)\]", re.IGNORECASE)
# A row in one of these states is done with: processing it again changes nothing.
SETTLED_STATES = frozenset({InboundState.PROCESSED, InboundState.IGNORED, InboundState.FAILED})


@dataclass(frozen=True)
class Outcome:
    """What happened to one inbound message, for the CLI and the logs."""

    state: str
    ticket_ref: str | None
    detail: str


def dedupe_key_for(raw: bytes, parsed: ParsedMessage) -> str:
    return (parsed.message_id or fallback_message_id(raw))[:255]


# The parse a row was built from (``inbound_row_for``), kept on the row object, so that
# processing that same object (``mail_ingest``, and every channel that stores then processes)
# does not parse the bytes a second time. A row read back from the database has none and is
# parsed from its bytes.
_PARSED_ATTR = "_operant_parsed"


def parsed_message_of(inbound: InboundMessage) -> ParsedMessage:
    """The parsed form of a stored message: the receive-time parse when this row object was
    built by ``inbound_row_for`` (same bytes, and parsing is pure), otherwise a fresh parse."""
    parsed = getattr(inbound, _PARSED_ATTR, None)
    if parsed is None:
        parsed = parse_message(bytes(inbound.raw))
    return parsed


def inbound_row_for(
    raw: bytes, parsed: ParsedMessage, *, key: str, channel: str, now: datetime
) -> InboundMessage:
    """The (unsaved) row that stores a message as it arrived, due for processing now. It keeps
    ``parsed`` for ``parsed_message_of``."""
    row = InboundMessage(
        dedupe_key=key,
        raw=raw,
        size=len(raw),
        channel=channel,
        received_at=now,
        process_due_at=now,
        from_address=(parsed.from_.address if parsed.from_ else "")[:320],
        subject=parsed.subject[:998],
        problems=list(parsed.problems),
        # Unreadable mail, or mail we could read only in part, waits for an agent's eyes.
        flagged=parsed.fatal or bool(parsed.problems),
    )
    setattr(row, _PARSED_ATTR, parsed)
    return row


def inbound_receive(*, raw: bytes, channel: str, now: datetime) -> tuple[InboundMessage, bool]:
    """Store a message as it arrived. Returns (row, created); a duplicate returns the first row."""
    if channel not in InboundChannel.values:
        raise ValueError(f"unknown channel {channel!r}")
    parsed = parse_message(raw)
    key = dedupe_key_for(raw, parsed)
    existing = InboundMessage.objects.filter(dedupe_key=key).first()
    if existing is not None:
        return existing, False
    row = inbound_row_for(raw, parsed, key=key, channel=channel, now=now)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        return InboundMessage.objects.get(dedupe_key=key), False
    return row, True


def claim_rows(row_ids: list[int], now: datetime) -> int:
    """Take the due, unsettled rows among ``row_ids`` for this worker (until the lease runs
    out); returns how many were taken."""
    return InboundMessage.objects.filter(
        pk__in=row_ids,
        state__in=[InboundState.PENDING, InboundState.PROCESSING],
        process_due_at__lte=now,
    ).update(state=InboundState.PROCESSING, process_due_at=now + PROCESS_LEASE)


def inbound_process(*, inbound: InboundMessage, now: datetime) -> Outcome:
    """Apply one stored message to the desk. Safe to call again for the same row."""
    from operant.mail.routing import route_and_apply

    if inbound.state in SETTLED_STATES:
        ref = inbound.ticket.ref if inbound.ticket_id else None
        return Outcome(inbound.state, ref, inbound.outcome or "already handled")
    try:
        # The claim commits with the change: a process killed mid-way leaves the row pending,
        # ready for the next worker, instead of "processing" until the lease runs out.
        with transaction.atomic():
            if not claim_rows([inbound.pk], now):
                return Outcome(inbound.state, None, "being handled by another worker")
            outcome, ticket = route_and_apply(inbound=inbound, now=now)
            InboundMessage.objects.filter(pk=inbound.pk).update(
                state=outcome.state,
                outcome=outcome.detail[:255],
                ticket=ticket,
                process_due_at=None,
            )
        return outcome
    except Exception as exc:
        # A system error: keep the raw message, flag it, retry a few times, never lose it.
        log.exception("inbound message %s failed", inbound.pk)
        attempts = inbound.attempts + 1
        final = attempts >= MAX_PROCESS_ATTEMPTS
        InboundMessage.objects.filter(pk=inbound.pk).update(
            state=InboundState.FAILED if final else InboundState.PENDING,
            attempts=attempts,
            flagged=True,
            outcome=f"error: {type(exc).__name__}: {exc}"[:255],
            process_due_at=None if final else now + timedelta(minutes=attempts),
        )
        return Outcome(InboundState.FAILED, None, f"error: {type(exc).__name__}: {exc}")


def inbound_process_due(*, now: datetime) -> int:
    """Worker job: process stored messages that are due, oldest first."""
    due = list(
        InboundMessage.objects.filter(process_due_at__lte=now)
        .order_by("process_due_at", "pk")
        .values_list("pk", flat=True)[:100]
    )
    for pk in due:
        inbound_process(inbound=InboundMessage.objects.get(pk=pk), now=now)
    return len(due)


def inbound_accept(*, raw: bytes, channel: str, now: datetime) -> tuple[InboundMessage, bool]:
    """A delivery pushed to us (SMTP, webhook): store it, then process it at once while it is
    pending (new, or stored by an earlier delivery whose processing did not finish).

    A storage error propagates, so the sender retries; a processing error is logged and left
    to the worker, since the message is safely stored. Returns ``inbound_receive``'s answer.
    """
    row, created = inbound_receive(raw=raw, channel=channel, now=now)
    if row.state == InboundState.PENDING:
        try:
            inbound_process(inbound=row, now=now)
        except Exception:
            log.exception("processing inbound message %s failed; left for the worker", row.pk)
    return row, created


def mail_ingest(*, raw: bytes, channel: str, now: datetime) -> Outcome:
    """Receive and process at once (CLI, SMTP listener, webhooks, tests)."""
    row, _ = inbound_receive(raw=raw, channel=channel, now=now)
    return inbound_process(inbound=row, now=now)
