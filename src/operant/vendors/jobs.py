"""The worker jobs of vendors: poll the feeds that are due; tell clients of material incidents;
pause and resume the clocks of the tickets incidents affect.

The incident jobs take each due incident in its own transaction, locked with SKIP LOCKED (a row
another worker holds is skipped, not waited for) and only while its due column is still due:
any number of workers act on each due time once, and a worker that dies midway leaves the
incident due for the next.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q

from operant.policy.loader import current_policy
from operant.vendors.models import VendorFeed, VendorIncident
from operant.vendors.notices import incident_notices_process
from operant.vendors.polling import PollResult, feed_poll
from operant.vendors.tickets import incident_tickets_process

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


def _due_incidents(column: str, now: datetime) -> list[int]:
    rows = VendorIncident.objects.filter(**{f"{column}__lte": now}).order_by(column, "pk")
    return list(rows.values_list("pk", flat=True)[:BATCH])


def _claim(pk: int, column: str, now: datetime) -> VendorIncident | None:
    """Inside a transaction: the incident, locked, if it is still due and no worker holds it."""
    return (
        VendorIncident.objects.select_for_update(skip_locked=True)
        .filter(pk=pk, **{f"{column}__lte": now})
        .first()
    )


def incidents_notices_due(*, now: datetime) -> int:
    terms = current_policy().disruptions
    queued = 0
    for pk in _due_incidents("notices_due_at", now):
        with transaction.atomic():
            incident = _claim(pk, "notices_due_at", now)
            if incident is not None:
                queued += incident_notices_process(incident=incident, terms=terms, now=now)
    return queued


def incidents_tickets_due(*, now: datetime) -> int:
    changed = 0
    for pk in _due_incidents("tickets_due_at", now):
        with transaction.atomic():
            incident = _claim(pk, "tickets_due_at", now)
            if incident is not None:
                changed += incident_tickets_process(incident=incident, now=now)
    return changed
