"""Meta (Instagram) webhooks: events recorded per Instagram account.

A post is {"object": "instagram", "entry": [{"id": <account>, "time": …, "messaging": [...],
"changes": [...]}, …]}; Meta batches several entries and items per post. Each item is one
signal for each workflow that names the entry's account (identifiers of kind account), and
sets the workflow's ``last_event_at``: ``health.assess`` takes a workflow that requires an
event every ``silence_hours`` down when none came, and up again on the next one.

1. Replays are stored once: an item's provider key is the entry id (the account) and the
   item's message id (messaging), or the entry time and a digest of the item (changes, and
   messaging items without one), with the workflow's id, so two workflows watching one
   account each keep theirs. Meta retries a whole post, and may batch an item again with
   others, so each item is inserted in its own savepoint.
2. Objects other than "instagram", and accounts no workflow names, are acknowledged and
   ignored (Meta would otherwise retry them for a day and a half).
3. Stale: Meta stops retrying after 36 hours, so a post whose newest entry is older than
   ``MAX_AGE`` can only be a replay of a captured request (the view answers 403).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction

from operant.monitoring.models import (
    IdentifierKind,
    Signal,
    SignalKind,
    SignalSource,
    Workflow,
    WorkflowIdentifier,
)
from operant.monitoring.transitions import workflow_apply

OBJECT = "instagram"
MAX_AGE = timedelta(hours=36, minutes=30)
ITEM_LISTS = ("messaging", "standby", "changes")
MAX_KEY = 200
# Entry times are epoch seconds (changes) or milliseconds (messaging); a value past this is
# in milliseconds (it would be after the year 5000 in seconds).
MILLISECONDS_FROM = 10**11


class MetaProblem(ValueError):
    """A signed post whose body is not a Meta webhook we can read (answered 400)."""


@dataclass(frozen=True)
class MetaItem:
    account: str
    kind: str  # messaging, standby or changes
    key: str  # Meta's id for the item, or a digest of it
    summary: str
    data: dict[str, Any]


@dataclass(frozen=True)
class MetaDelivery:
    object: str
    newest: datetime | None
    items: list[MetaItem]


def _instant(value: object) -> datetime | None:
    if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
        return None
    seconds = value / 1000 if value >= MILLISECONDS_FROM else value
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _item_key(kind: str, item: dict[str, Any], entry_time: int) -> tuple[str, str]:
    """(the item's key, a one-line summary). Meta's message ids are unique, so an item with
    one is keyed by it (and what happened to it: a message, its read receipt and a reaction
    to it share the mid) whatever batch it comes in; an item without one, by the entry's
    time and a digest of the item."""
    for part in ("message", "postback", "reaction", "read"):
        inner = item.get(part)
        if isinstance(inner, dict) and isinstance(inner.get("mid"), str) and inner["mid"]:
            action = str(inner.get("action", ""))[:16]  # react / unreact
            return f"{part}{action}:{inner['mid']}", part
    if kind == "changes":
        summary = str(item.get("field", "change"))[:60]
    else:
        summary = next((part for part in item if part not in ("sender", "recipient")), kind)
    digest = hashlib.sha256(json.dumps(item, sort_keys=True).encode()).hexdigest()[:32]
    return f"{entry_time}:{digest}", summary


def meta_parse(body: bytes) -> MetaDelivery:
    try:
        payload = json.loads(body)
    except ValueError:
        raise MetaProblem("the body is not JSON") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
        raise MetaProblem('expected {"object": …, "entry": [...]}')
    items: list[MetaItem] = []
    times = []
    for entry in payload["entry"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str | int):
            raise MetaProblem("each entry needs an id")
        account, entry_time = str(entry["id"]), entry.get("time")
        at = _instant(entry_time)
        if at is None:
            raise MetaProblem("each entry needs a time (epoch seconds or milliseconds)")
        times.append(at)
        for kind in ITEM_LISTS:
            for item in entry.get(kind) or []:
                if isinstance(item, dict):
                    key, summary = _item_key(kind, item, int(entry_time))
                    items.append(MetaItem(account, kind, key, summary, item))
    return MetaDelivery(
        object=str(payload.get("object", "")), newest=max(times, default=None), items=items
    )


def meta_is_stale(delivery: MetaDelivery, now: datetime) -> bool:
    return delivery.newest is not None and now - delivery.newest > MAX_AGE


def _provider_key(item: MetaItem, workflow_id: int) -> str:
    key = f"meta:{item.account}:{item.key}:{workflow_id}"
    if len(key) > MAX_KEY:  # message ids are long; keep the key within the column
        key = "meta:" + hashlib.sha256(key.encode()).hexdigest()
    return key


def meta_delivery_record(*, delivery: MetaDelivery, now: datetime, remote_addr: str = "") -> int:
    """Record the items of a checked post; returns how many were new."""
    if delivery.object != OBJECT or not delivery.items:
        return 0
    watchers: dict[str, list[int]] = defaultdict(list)
    for account, workflow_id in WorkflowIdentifier.objects.filter(
        kind=IdentifierKind.ACCOUNT, value__in={item.account for item in delivery.items}
    ).values_list("value", "workflow_id"):
        watchers[account].append(workflow_id)
    recorded = 0
    with transaction.atomic():
        # Rows locked first, in one order, before any insert refers to them: two posts about
        # one account queue here instead of deadlocking.
        workflows = list(
            Workflow.objects.select_for_update()
            .filter(pk__in={pk for pks in watchers.values() for pk in pks})
            .order_by("pk")
        )
        touched: set[int] = set()
        for item in delivery.items:
            for workflow_id in watchers.get(item.account, ()):
                if _insert_once(item, workflow_id, now, remote_addr):
                    recorded += 1
                    touched.add(workflow_id)
        for workflow in workflows:
            if workflow.pk in touched:
                workflow_apply(
                    workflow=workflow,
                    now=now,
                    changes={"last_event_at": now, "last_signal_at": now},
                )
    return recorded


def _insert_once(item: MetaItem, workflow_id: int, now: datetime, remote_addr: str) -> bool:
    try:
        with transaction.atomic():
            Signal.objects.create(
                workflow_id=workflow_id,
                at=now,
                source=SignalSource.META,
                kind=SignalKind.EVENT,
                method="POST",
                remote_addr=remote_addr[:64],
                provider_key=_provider_key(item, workflow_id),
                body=json.dumps(item.data, sort_keys=True)[:2000],
                detail={"account": item.account, "kind": item.kind, "summary": item.summary},
            )
    except IntegrityError:
        return False
    return True
