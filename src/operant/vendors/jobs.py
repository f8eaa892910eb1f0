"""The worker job of vendors: poll the feeds that are due."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q

from operant.vendors.models import VendorFeed
from operant.vendors.polling import PollResult, feed_poll

BATCH = 20
# How long a claimed feed is held by the worker polling it: longer than any fetch can take
# (timeouts are seconds), so a worker that dies mid-poll only delays that feed this much.
LEASE = timedelta(minutes=5)


def feeds_claim_due(*, now: datetime) -> list[VendorFeed]:
    """Claim the feeds due now (indexed ``next_poll_at``), or whose last poll lies in the
    future (the clock moved back: waiting for the old due time could take hours). Rows another
    worker holds are skipped (SKIP LOCKED); each claim moves ``next_poll_at`` a lease ahead,
    and commits before any network I/O, so no transaction waits on a vendor."""
    with transaction.atomic():
        due = list(
            VendorFeed.objects.select_for_update(skip_locked=True)
            .filter(Q(next_poll_at__lte=now) | Q(last_polled_at__gt=now))
            .order_by("next_poll_at")[:BATCH]
        )
        claimed = []
        for feed in due:
            held_until = now + LEASE
            if (
                VendorFeed.objects.filter(pk=feed.pk, next_poll_at=feed.next_poll_at).update(
                    next_poll_at=held_until
                )
                == 1
            ):
                feed.next_poll_at = held_until
                claimed.append(feed)
    return claimed


def feeds_poll_due(*, now: datetime) -> int:
    return len([feed_poll(feed=feed, now=now) for feed in feeds_claim_due(now=now)])


def feeds_poll_all(*, now: datetime) -> list[PollResult]:
    """Every feed once, due or not (``operant vendors poll --once``)."""
    return [feed_poll(feed=feed, now=now) for feed in VendorFeed.objects.order_by("pk")]
