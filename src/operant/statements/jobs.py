"""Worker job: on the first day of each month, on the client's calendar, state the month before.

Each client has one ``StatementCursor``: the next month to state and ``due_at``, the instant
that month ends in the client's zone. The job asks the partial index which cursors are due,
claims each with a conditional update, builds the statement (closing the allowance month),
queues the email and moves the cursor on a month, all in one transaction: a failure rolls the
claim back and the next pass tries again. Running twice never builds or emails twice (the
statement is unique per client and month, the email has a dedupe key).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Exists, OuterRef

from operant.accounts.models import Client
from operant.allowance.ledger import month_of
from operant.allowance.months import add_months, month_begins_at, month_ends_at
from operant.statements.models import StatementCursor
from operant.statements.services import statement_build, statement_email

log = logging.getLogger(__name__)
BATCH = 100


def statement_cursor_start(*, client: Client, now: dt.datetime) -> StatementCursor:
    """A client's first cursor: the month before now, if the client existed when the current
    month began (their first statement covers it), else the current month."""
    current = month_of(client=client, when=now)
    existed = client.created_at < month_begins_at(current, client.zone)
    month = add_months(current, -1) if existed else current
    cursor, _ = StatementCursor.objects.get_or_create(
        client=client,
        defaults={"next_month": month, "due_at": month_ends_at(month, client.zone)},
    )
    return cursor


def statement_cursors_start(*, now: dt.datetime) -> int:
    without = Client.objects.filter(~Exists(StatementCursor.objects.filter(client=OuterRef("pk"))))
    clients = list(without.order_by("pk")[:BATCH])
    for client in clients:
        statement_cursor_start(client=client, now=now)
    return len(clients)


def statement_claim_and_build(*, pk: int, due_at: dt.datetime, now: dt.datetime) -> bool:
    """Build and email one due cursor's month if no other worker has; True when this call did."""
    with transaction.atomic():
        if not StatementCursor.objects.filter(pk=pk, due_at=due_at).update(due_at=None):
            return False
        cursor = StatementCursor.objects.select_related("client__package").get(pk=pk)
        client = cursor.client
        if cursor.next_month >= month_of(client=client, when=now):
            # The client moved to a zone where the month is not over yet: ask again then.
            StatementCursor.objects.filter(pk=pk).update(
                due_at=month_ends_at(cursor.next_month, client.zone)
            )
            return False
        statement = statement_build(client=client, month=cursor.next_month, now=now)
        statement_email(statement=statement, now=now)
        following = add_months(cursor.next_month, 1)
        StatementCursor.objects.filter(pk=pk).update(
            next_month=following, due_at=month_ends_at(following, client.zone)
        )
    return True


def statements_build_due(*, now: dt.datetime) -> int:
    """Start cursors for new clients, then build every statement whose month has ended."""
    started = statement_cursors_start(now=now)
    due = list(
        StatementCursor.objects.filter(due_at__lte=now)
        .order_by("due_at", "pk")
        .values_list("pk", "due_at")[:BATCH]
    )
    built = sum(statement_claim_and_build(pk=pk, due_at=due_at, now=now) for pk, due_at in due)
    if built:
        log.info("built %s monthly statements", built)
    return built + started
