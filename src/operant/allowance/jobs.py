"""Worker jobs of the allowance: close each month as the client's next month begins.

Every client's ledger is a chain of month rows. A row is created with ``close_due_at``, the
instant its month ends on the client's calendar; closing it starts the next month's row. So the
worker asks one indexed question ("which rows are due?") and never scans the time entries.
A client whose chain has not started (a new client, or one from before the ledger) has no open
row; the second step starts it with the current month.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Exists, OuterRef

from operant.accounts.models import Client
from operant.allowance.closing import allowance_month_close
from operant.allowance.ledger import month_of
from operant.allowance.models import AllowanceMonth
from operant.allowance.rows import month_row_ensure

log = logging.getLogger(__name__)
BATCH = 100


def allowance_month_claim_and_close(*, pk: int, due_at: dt.datetime, now: dt.datetime) -> bool:
    """Close one due month if no other worker has; True when this call closed it.

    The conditional update is the claim, and it shares the close's transaction: if the close
    fails, the claim rolls back with it and the next pass tries again.
    """
    with transaction.atomic():
        if not AllowanceMonth.objects.filter(pk=pk, close_due_at=due_at).update(close_due_at=None):
            return False
        row = AllowanceMonth.objects.select_related("client").get(pk=pk)
        if row.month >= month_of(client=row.client, when=now):
            # The client moved to a zone where the month is not over yet: look again later.
            AllowanceMonth.objects.filter(pk=pk).update(close_due_at=now + dt.timedelta(hours=1))
            return False
        allowance_month_close(client=row.client, month=row.month, now=now)
    return True


def allowance_ledgers_start(*, now: dt.datetime) -> int:
    """Start the chain of clients that have no open month: a row for their current month."""
    open_row = AllowanceMonth.objects.filter(client=OuterRef("pk"), closed_at__isnull=True)
    clients = list(Client.objects.filter(~Exists(open_row)).order_by("pk")[:BATCH])
    for client in clients:
        month_row_ensure(client=client, month=month_of(client=client, when=now))
    return len(clients)


def allowance_months_close_due(*, now: dt.datetime) -> int:
    """Close every month whose end has come, each claimed by one worker only; then start the
    ledgers that have no open month."""
    due = list(
        AllowanceMonth.objects.filter(close_due_at__lte=now)
        .order_by("close_due_at", "pk")
        .values_list("pk", "close_due_at")[:BATCH]
    )
    closed = sum(
        allowance_month_claim_and_close(pk=pk, due_at=due_at, now=now) for pk, due_at in due
    )
    if closed:
        log.info("closed %s allowance months", closed)
    return closed + allowance_ledgers_start(now=now)
