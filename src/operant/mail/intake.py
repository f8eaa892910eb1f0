"""Intake in batches: store many raw messages at once, then drive them through processing.

``inbound_receive_many`` is ``inbound_receive`` for a list (one SELECT, one INSERT, committed
before anything else can fail). ``ingest_batches`` is what a channel with many messages at
hand runs (``operant imap`` per fetched batch, ``operant mail ingest``, the benchmark): each
batch is received, then processed by ``operant.mail.services.inbound_process_batch``; with a
``ParsePool`` the next batches are parsed in worker processes meanwhile.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from django.db import IntegrityError, transaction

from operant.core.bulk import bulk_insert, chunks
from operant.mail.models import InboundChannel, InboundMessage
from operant.mail.parse import ParsedMessage, parse_message
from operant.mail.parsepool import ParsePool
from operant.mail.receive import (
    Outcome,
    inbound_receive,
    inbound_row_for,
    keys_for,
)
from operant.mail.services import inbound_process_batch

log = logging.getLogger(__name__)

# Messages per batch: enough to make the set-based statements pay, few enough to keep the
# transaction (and a fallback to the per-row path) short.
BATCH_SIZE = 100


def inbound_receive_many(
    *,
    raws: list[bytes],
    channel: str,
    now: datetime,
    parsed: list[ParsedMessage] | None = None,
) -> list[tuple[InboundMessage, bool]]:
    """``inbound_receive`` for each message: (row, created), in order, committed on return.

    One SELECT for the keys already stored and one INSERT for the rest. A redelivery inside
    the list gets the row of its first occurrence with created False. Should another process
    store one of the keys in between, the batch falls back to ``inbound_receive`` per message.
    ``parsed`` is the messages already parsed (by a ParsePool), in the same order.
    """
    if channel not in InboundChannel.values:
        raise ValueError(f"unknown channel {channel!r}")
    if parsed is not None and len(parsed) != len(raws):
        raise ValueError(f"{len(parsed)} parsed messages for {len(raws)} raw ones")
    parsed_all = parsed if parsed is not None else [parse_message(raw) for raw in raws]
    keys = [keys_for(raw, message) for raw, message in zip(raws, parsed_all, strict=True)]
    existing: dict[str, InboundMessage] = {}
    for chunk in chunks(sorted({k.dedupe_key for k in keys})):
        existing.update(
            (row.dedupe_key, row) for row in InboundMessage.objects.filter(dedupe_key__in=chunk)
        )
    result: list[tuple[InboundMessage, bool]] = []
    new_rows: list[InboundMessage] = []
    for raw, message, key in zip(raws, parsed_all, keys, strict=True):
        row = existing.get(key.dedupe_key)
        if row is not None:
            result.append((row, False))
            continue
        row = inbound_row_for(raw, message, keys=key, channel=channel, now=now)
        existing[key.dedupe_key] = row
        new_rows.append(row)
        result.append((row, True))
    if new_rows:
        try:
            with transaction.atomic():
                bulk_insert(InboundMessage, new_rows)
        except IntegrityError:
            log.info("a key was stored concurrently; receiving %s messages one by one", len(raws))
            return [inbound_receive(raw=raw, channel=channel, now=now) for raw in raws]
    return result


Batch = tuple[list[bytes], datetime]
Received = list[tuple[InboundMessage, bool]]


def ingest_batches(
    batches: Iterable[Batch], *, channel: str, pool: ParsePool | None = None
) -> Iterator[tuple[Received, list[Outcome]]]:
    """Store and process each (raws, now) batch in turn; yield (received rows, outcomes).

    Each batch is committed raw-first by ``inbound_receive_many`` and then processed by
    ``inbound_process_batch``. With a parallel ``pool`` the batches after the current one
    are parsed in its workers meanwhile, so the next batch is pulled from ``batches`` (an
    IMAP fetch, say) before the current one is processed; nothing is yielded out of order.
    """
    parallel = pool if pool is not None and pool.parallel else None
    ahead = parallel.workers if parallel is not None else 0
    source = iter(batches)
    queued: deque[tuple[list[bytes], datetime, Callable[[], list[ParsedMessage]] | None]] = deque()

    def pull() -> bool:
        batch = next(source, None)
        if batch is None:
            return False
        raws, now = batch
        queued.append((raws, now, parallel.submit(raws) if parallel is not None else None))
        return True

    while len(queued) <= ahead and pull():
        pass
    while queued:
        raws, now, parsed = queued.popleft()
        pull()
        received = inbound_receive_many(
            raws=raws, channel=channel, now=now, parsed=parsed() if parsed else None
        )
        yield received, inbound_process_batch(rows=[row for row, _ in received], now=now)


def mail_ingest_many(
    *,
    raws: list[bytes],
    channel: str,
    now: datetime,
    batch_size: int = BATCH_SIZE,
    pool: ParsePool | None = None,
) -> list[Outcome]:
    """``mail_ingest`` for each message, in order, ``batch_size`` at a time."""
    size = max(1, batch_size)
    batches = ((raws[start : start + size], now) for start in range(0, len(raws), size))
    outcomes: list[Outcome] = []
    for _, batch_outcomes in ingest_batches(batches, channel=channel, pool=pool):
        outcomes.extend(batch_outcomes)
    return outcomes
