"""One poll of one feed: fetch, parse, apply, and record on the feed how it went.

Nothing a vendor sends stops the worker: every failure is recorded on the feed (``last_error``,
shown to agents), counted, and backs the next poll off exponentially; a success clears it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
from django.db import transaction

from operant.vendors.adapters import adapter_for
from operant.vendors.adapters.base import FeedError
from operant.vendors.apply import snapshot_apply
from operant.vendors.fetch import feed_fetch
from operant.vendors.models import VendorFeed

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=1)


@dataclass(frozen=True)
class PollResult:
    feed: VendorFeed
    error: str = ""
    not_modified: bool = False
    changes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def poll_delay(*, poll_seconds: int, failures: int) -> timedelta:
    """The wait before the next poll: the feed's interval, doubled per failure in a row, at
    most an hour (a vendor down for a day is asked 24 times, not thousands)."""
    return min(timedelta(seconds=poll_seconds) * 2 ** min(failures, 16), MAX_BACKOFF)


def feed_poll(
    *, feed: VendorFeed, now: datetime, transport: httpx.BaseTransport | None = None
) -> PollResult:
    warnings = []
    if feed.last_polled_at is not None and now < feed.last_polled_at:
        behind = int((feed.last_polled_at - now).total_seconds())
        warnings.append(
            f"the clock moved back {behind} s since the last poll; polled now and rescheduled "
            "from the current clock"
        )
    try:
        fetched = feed_fetch(
            url=feed.url,
            etag=feed.etag,
            last_modified=feed.last_modified,
            timeout=feed.timeout_seconds,
            transport=transport,
        )
        if fetched.body is None:
            _succeeded(feed, now, warnings=warnings, validators=None)
            return PollResult(feed=feed, not_modified=True, warnings=warnings)
        snapshot = adapter_for(feed.kind)(fetched.body, fetched.content_type)
        with transaction.atomic():
            applied = snapshot_apply(feed=feed, snapshot=snapshot, now=now)
            warnings += applied.warnings
            _succeeded(
                feed, now, warnings=warnings, validators=(fetched.etag, fetched.last_modified)
            )
        return PollResult(feed=feed, changes=applied.changes, warnings=warnings)
    except FeedError as exc:
        message = str(exc)
    except Exception as exc:  # a bug of ours must not stop the other feeds either
        log.exception("polling vendor feed %s failed", feed.pk)
        message = f"internal error while reading the feed: {type(exc).__name__}"
    _failed(feed, now, message)
    return PollResult(feed=feed, error=message, warnings=warnings)


def _succeeded(
    feed: VendorFeed, now: datetime, *, warnings: list[str], validators: tuple[str, str] | None
) -> None:
    feed.last_polled_at = feed.last_success_at = now
    feed.consecutive_failures = 0
    feed.last_error = ""
    feed.last_warning = "; ".join(warnings)[:500]
    feed.next_poll_at = now + poll_delay(poll_seconds=feed.poll_seconds, failures=0)
    fields = ["last_polled_at", "last_success_at", "consecutive_failures", "last_error"]
    fields += ["last_warning", "next_poll_at"]
    if validators is not None:  # a 304 keeps the validators it was answered for
        feed.etag, feed.last_modified = validators[0][:255], validators[1][:64]
        fields += ["etag", "last_modified"]
    feed.save(update_fields=fields)


def _failed(feed: VendorFeed, now: datetime, message: str) -> None:
    feed.last_polled_at = now
    feed.consecutive_failures += 1
    feed.last_error = message[:500]
    feed.next_poll_at = now + poll_delay(
        poll_seconds=feed.poll_seconds, failures=feed.consecutive_failures
    )
    feed.save(
        update_fields=["last_polled_at", "consecutive_failures", "last_error", "next_poll_at"]
    )
    log.warning("vendor feed %s (%s): %s", feed.pk, feed.vendor_key, message)
