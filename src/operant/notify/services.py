"""Queue and deliver notifications (architecture guide 4.3: claim, transition, retry)."""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from operant.core.bulk import bulk_insert
from operant.notify.models import Channel, DeliveryState, Notification
from operant.notify.transports import PermanentFailure, transport_for

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
# A send that has not finished after this long is assumed dead (its worker was killed) and
# retried. Retrying may send a message twice; losing one would be worse.
SEND_LEASE = timedelta(minutes=5)
BATCH = 50


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8, 16 minutes between tries."""
    return timedelta(minutes=2 ** max(attempts - 1, 0))


def new_message_id() -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "operant.invalid"
    return f"{uuid.uuid4().hex}@{domain}"


def notification_build(
    *,
    kind: str,
    to: Sequence[str],
    subject: str,
    body_text: str,
    now: datetime,
    body_html: str = "",
    headers: dict[str, str] | None = None,
    message_id: str | None = None,
    dedupe_key: str | None = None,
    attachments: Sequence[dict[str, str]] = (),
    channel: str = Channel.EMAIL,
) -> Notification:
    """The unsaved outbox row of one message, due now (``notification_queue`` saves one,
    ``notifications_queue_many`` many). ``to`` holds what ``channel`` addresses: email
    addresses, phone numbers or webhook URLs."""
    return Notification(
        channel=channel,
        kind=kind,
        to=list(to),
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        headers=dict(headers or {}),
        message_id=message_id or new_message_id(),
        dedupe_key=dedupe_key,
        attachments=list(attachments),
        created_at=now,
        due_at=now,
    )


def notification_queue(**fields: Any) -> Notification | None:
    """Queue one message, given ``notification_build``'s arguments (which it checks). Returns
    None when a row with the same dedupe key already exists."""
    notification = notification_build(**fields)
    if notification.dedupe_key is None:
        notification.save()
        return notification
    try:
        with transaction.atomic():
            notification.save()
    except IntegrityError:
        return None
    return notification


def notifications_queue_many(notifications: list[Notification]) -> list[Notification]:
    """Queue built rows (``notification_build``) with one INSERT; returns those queued. A row
    whose dedupe key is already queued is left out (as ``notification_queue`` does); one
    queued by another process in between raises IntegrityError, for a batch caller to roll
    back and retry."""
    keys = [n.dedupe_key for n in notifications if n.dedupe_key is not None]
    taken = set(
        Notification.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True)
        if keys
        else ()
    )
    fresh = [n for n in notifications if n.dedupe_key is None or n.dedupe_key not in taken]
    if fresh:
        bulk_insert(Notification, fresh)
    return fresh


# Past this many recipients one scan of the window beats a query per recipient.
_COUNT_SCAN_FROM = 8


def notifications_sent_to(*, kind: str, recipients: Iterable[str], since: datetime) -> Counter[str]:
    """How many ``kind`` notifications each recipient was sent alone (``to == [address]``)
    since ``since``. Few recipients: one query each; many: one scan of the window."""
    wanted = set(recipients)
    counts: Counter[str] = Counter()
    recent = Notification.objects.filter(kind=kind, created_at__gte=since)
    if len(wanted) <= _COUNT_SCAN_FROM:
        for address in wanted:
            counts[address] = recent.filter(to=[address]).count()
        return counts
    for (to,) in recent.values_list("to"):
        if isinstance(to, list) and len(to) == 1 and to[0] in wanted:
            counts[to[0]] += 1
    return counts


def _claim(notification_id: int, now: datetime) -> bool:
    """Take a row for sending; one row changed means this worker owns it."""
    claimed = Notification.objects.filter(
        id=notification_id, state__in=[DeliveryState.QUEUED, DeliveryState.SENDING], due_at__lte=now
    ).update(state=DeliveryState.SENDING, due_at=now + SEND_LEASE, attempts=F("attempts") + 1)
    return claimed == 1


def notification_deliver(*, notification: Notification, now: datetime) -> None:
    """Send one claimed notification through its channel's transport and record the outcome.

    Every channel shares this path: a failed try is retried with back-off until
    ``MAX_ATTEMPTS``; a ``PermanentFailure`` (a channel not configured) is final at once.
    """
    try:
        transport_for(notification.channel).send(notification)
    except Exception as exc:  # noqa: BLE001 - any transport failure is a failed try
        notification.refresh_from_db(fields=["attempts"])
        permanent = isinstance(exc, PermanentFailure) or notification.attempts >= MAX_ATTEMPTS
        error = str(exc) if isinstance(exc, PermanentFailure) else f"{type(exc).__name__}: {exc}"
        Notification.objects.filter(id=notification.id).update(
            state=DeliveryState.FAILED if permanent else DeliveryState.QUEUED,
            due_at=None if permanent else now + backoff(notification.attempts),
            last_error=error[:2000],
        )
        log.warning(
            "notification %s (%s) try %s failed%s: %s",
            notification.id,
            notification.channel,
            notification.attempts,
            " for good" if permanent else "",
            exc,
        )
        return
    Notification.objects.filter(id=notification.id).update(
        state=DeliveryState.SENT, due_at=None, sent_at=now, last_error=""
    )


def notifications_deliver_due(*, now: datetime) -> int:
    """Deliver what is due now; return how many rows were handled."""
    due_ids = list(
        Notification.objects.filter(
            state__in=[DeliveryState.QUEUED, DeliveryState.SENDING], due_at__lte=now
        )
        .order_by("due_at")
        .values_list("id", flat=True)[:BATCH]
    )
    handled = 0
    for notification_id in due_ids:
        if not _claim(notification_id, now):
            continue
        notification_deliver(notification=Notification.objects.get(id=notification_id), now=now)
        handled += 1
    return handled
