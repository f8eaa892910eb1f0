"""The inbound mail pipeline: store raw → parse → route → apply (architecture 4.6).

``inbound_receive`` (``operant.mail.receive``) is all a channel adapter calls; it commits the
raw bytes before anything else can fail. ``inbound_process_batch`` turns stored messages into
ticket changes, exactly once: the claim, the ticket changes and the settled states commit
together, so a worker killed at any point leaves the rows pending, to be retried, never
half-applied. One message is a batch of one (``inbound_process``): there is one routing
decision (``operant.mail.routing``), whatever the channel.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction

from operant.core.bulk import bulk_set_values
from operant.desk.models import ticket_ref
from operant.desk.writes import TicketWrites
from operant.mail.models import InboundMessage, InboundState
from operant.mail.parse import ParsedMessage
from operant.mail.receive import (
    MAX_PROCESS_ATTEMPTS,
    SETTLED_STATES,
    Outcome,
    claim_rows,
    inbound_receive,
    parsed_message_of,
)
from operant.mail.routing import Router, RoutingIndex
from operant.policy.services import policy_in_force

log = logging.getLogger(__name__)


class _ClaimMismatch(Exception):
    """Another worker holds some of the rows."""


def _settled_outcome(row: InboundMessage) -> Outcome:
    """The answer for a row that is already settled (a redelivery, a repeat): that it was
    stored before and how it ended, not a second "new ticket …, acknowledged"."""
    ref = ticket_ref(row.ticket_id) if row.ticket_id else None
    where = f" on {ref}" if ref else ""
    return Outcome(row.state, ref, f"already stored (inbound #{row.pk}, {row.state}{where})")


def _process_claimed(
    work: list[tuple[InboundMessage, ParsedMessage]], now: datetime
) -> list[Outcome]:
    """Route the claimed rows in order, write the desk's changes, settle the rows (inside the
    caller's transaction)."""
    in_force = policy_in_force()
    writes = TicketWrites(now=now, in_force=in_force)
    router = Router(index=RoutingIndex(now=now, policy=in_force.policy, work=work), writes=writes)
    results = [router.route(row, parsed) for row, parsed in work]
    writes.flush()
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
    # Unreadable mail, or mail read only in part, waits for an agent's eyes (receive flags it
    # already; a row stored before that rule existed is flagged now).
    unflagged = [
        row.pk for row, parsed in work if (parsed.fatal or parsed.problems) and not row.flagged
    ]
    if unflagged:
        InboundMessage.objects.filter(pk__in=unflagged).update(flagged=True)
    return outcomes


def _record_failure(row: InboundMessage, exc: Exception, now: datetime) -> Outcome:
    """A system error: keep the raw message, flag it, retry a few times, never lose it."""
    attempts = row.attempts + 1
    final = attempts >= MAX_PROCESS_ATTEMPTS
    InboundMessage.objects.filter(pk=row.pk).update(
        state=InboundState.FAILED if final else InboundState.PENDING,
        attempts=attempts,
        flagged=True,
        outcome=f"error: {type(exc).__name__}: {exc}"[:255],
        process_due_at=None if final else now + timedelta(minutes=attempts),
    )
    return Outcome(InboundState.FAILED, None, f"error: {type(exc).__name__}: {exc}")


def _process_work(work: list[tuple[InboundMessage, ParsedMessage]], now: datetime) -> list[Outcome]:
    """Claim and process the rows together. A batch that cannot claim every row, or fails,
    keeps nothing and its rows go one by one; a single row records why."""
    try:
        with transaction.atomic():
            if claim_rows([row.pk for row, _ in work], now) != len(work):
                raise _ClaimMismatch
            return _process_claimed(work, now)
    except _ClaimMismatch:
        if len(work) == 1:
            row = work[0][0]
            return [Outcome(row.state, None, "being handled by another worker")]
        log.info("batch of %s: some rows are not claimable; processing one by one", len(work))
    except Exception as exc:
        if len(work) == 1:
            log.exception("inbound message %s failed", work[0][0].pk)
            return [_record_failure(work[0][0], exc, now)]
        log.exception("batch of %s failed; processing its rows one by one", len(work))
    return [_process_work([item], now)[0] for item in work]


def inbound_process_batch(*, rows: list[InboundMessage], now: datetime) -> list[Outcome]:
    """Apply stored messages to the desk, in order, in one transaction; an outcome per row.

    Settled rows answer with what happened to them; a row given twice is processed once and
    then answers as a re-read row would. Safe to call again for the same rows.
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
        for index, outcome in zip(positions, _process_work(work, now), strict=True):
            outcomes[index] = outcome
    for index in repeats:
        # As a second delivery of the same row would see it: read back, then processed.
        fresh = InboundMessage.objects.get(pk=rows[index].pk)
        outcomes[index] = inbound_process(inbound=fresh, now=now)
    return [outcome for outcome in outcomes if outcome is not None]


def inbound_process(*, inbound: InboundMessage, now: datetime) -> Outcome:
    """Apply one stored message to the desk (a batch of one). Safe to call again."""
    return inbound_process_batch(rows=[inbound], now=now)[0]


def inbound_process_due(*, now: datetime) -> int:
    """Worker job: process stored messages that are due, oldest first, as one batch."""
    due = list(
        InboundMessage.objects.filter(process_due_at__lte=now).order_by("process_due_at", "pk")[
            :100
        ]
    )
    inbound_process_batch(rows=due, now=now)
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
