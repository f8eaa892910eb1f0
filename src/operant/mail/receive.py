"""The first step of the inbound pipeline: store the raw message before anything else can
fail (architecture 4.6), and claim stored rows for processing (``operant.mail.services``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from operant.mail.identity import content_identity, fallback_message_id
from operant.mail.models import InboundChannel, InboundMessage, InboundState
from operant.mail.parse import ParsedMessage, parse_message

# A stuck "processing" row (its worker died) is retried after this long.
PROCESS_LEASE = timedelta(minutes=2)
MAX_PROCESS_ATTEMPTS = 5
# A row in one of these states is done with: processing it again changes nothing.
SETTLED_STATES = frozenset({InboundState.PROCESSED, InboundState.IGNORED, InboundState.FAILED})


@dataclass(frozen=True)
class Outcome:
    """What happened to one inbound message, for the CLI and the logs."""

    state: str
    ticket_ref: str | None
    detail: str


@dataclass(frozen=True)
class MessageKeys:
    """How a stored message is found again. ``dedupe_key``: its content identity, the same
    for every delivery of one mail (``operant.mail.identity``). ``message_id``: what replies
    name it by, for threading; other mails may share it."""

    dedupe_key: str
    message_id: str


def keys_for(raw: bytes, parsed: ParsedMessage) -> MessageKeys:
    # ``parse_message`` took the identity; a ParsedMessage made some other way has none.
    identity = parsed.identity or content_identity(raw)
    message_id = parsed.message_id or fallback_message_id(identity)
    return MessageKeys(dedupe_key=identity, message_id=message_id[:255])


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
    raw: bytes, parsed: ParsedMessage, *, keys: MessageKeys, channel: str, now: datetime
) -> InboundMessage:
    """The (unsaved) row that stores a message as it arrived, due for processing now. It keeps
    ``parsed`` for ``parsed_message_of``."""
    row = InboundMessage(
        dedupe_key=keys.dedupe_key,
        message_id=keys.message_id,
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
    """Store a message as it arrived. Returns (row, created); a redelivery of a stored mail
    (same content identity) returns its row."""
    if channel not in InboundChannel.values:
        raise ValueError(f"unknown channel {channel!r}")
    parsed = parse_message(raw)
    keys = keys_for(raw, parsed)
    existing = InboundMessage.objects.filter(dedupe_key=keys.dedupe_key).first()
    if existing is not None:
        return existing, False
    row = inbound_row_for(raw, parsed, keys=keys, channel=channel, now=now)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        return InboundMessage.objects.get(dedupe_key=keys.dedupe_key), False
    return row, True


def claim_rows(row_ids: list[int], now: datetime) -> int:
    """Take the due, unsettled rows among ``row_ids`` for this worker (until the lease runs
    out); returns how many were taken."""
    return InboundMessage.objects.filter(
        pk__in=row_ids,
        state__in=[InboundState.PENDING, InboundState.PROCESSING],
        process_due_at__lte=now,
    ).update(state=InboundState.PROCESSING, process_due_at=now + PROCESS_LEASE)
