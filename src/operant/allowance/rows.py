"""The ledger's ``AllowanceMonth`` rows: found or created, and locked for a charge.

Charging is check-then-insert ("are there 10 minutes left? then log 10"), which two agents could
otherwise both pass at once. Every charge therefore locks its month's row first, inside the
transaction that checks and inserts: the second agent waits, then sees the first one's entry.
On PostgreSQL that is ``SELECT ... FOR UPDATE``; SQLite has no row locks, but the settings open
every transaction with ``BEGIN IMMEDIATE``, so writers take turns there anyway.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from operant.allowance.models import AllowanceMonth
from operant.allowance.months import month_ends_at
from operant.policy.loader import current_policy

if TYPE_CHECKING:
    from operant.accounts.models import Client
    from operant.policy.models import PolicyVersion

# Creating a row can lose a race only to a transaction that then holds the row; after it
# commits the next read finds it. More rounds than this means something else is wrong.
ATTEMPTS = 5


def _create(client: Client, month: dt.date, version: PolicyVersion | None) -> AllowanceMonth:
    # The figure is provisional (an open month follows the policy); closing writes the real one.
    return AllowanceMonth.objects.create(
        client=client,
        month=month,
        allowance_minutes=current_policy().allowance.minutes_per_month,
        close_due_at=month_ends_at(month, client.zone),
        policy_version=version,
    )


def month_row_lock(
    *, client: Client, month: dt.date, version: PolicyVersion | None = None
) -> AllowanceMonth:
    """The client's row for ``month``, locked until the surrounding transaction ends.

    1. Lock the row if it exists.
    2. Otherwise insert it in a savepoint; the insert holds it just the same.
    3. If another transaction inserted it first, the unique constraint refuses ours (after
       waiting for theirs to commit): go back to 1 and lock theirs.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("month_row_lock must run inside transaction.atomic()")
    for _ in range(ATTEMPTS):
        row = AllowanceMonth.objects.select_for_update().filter(client=client, month=month).first()
        if row is not None:
            return row
        try:
            with transaction.atomic():
                return _create(client, month, version)
        except IntegrityError:
            continue
    raise RuntimeError(f"could not lock the allowance month {month} of client {client.pk}")


def month_row_ensure(
    *, client: Client, month: dt.date, version: PolicyVersion | None = None
) -> AllowanceMonth:
    """The client's row for ``month``, created if missing, without taking a lock."""
    row = AllowanceMonth.objects.filter(client=client, month=month).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return _create(client, month, version)
    except IntegrityError:
        return AllowanceMonth.objects.get(client=client, month=month)
