"""Closing a month: its figures become final, as the statement prints them.

A month closes once it is over on the client's calendar: the worker does it as the client's
next month begins (see ``jobs``), and ``allowance_month_close`` may be called for any ended
month (a statement run, an operator). Closing twice returns the same figures.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction

from operant.allowance.errors import AllowanceError
from operant.allowance.ledger import Balance, allowance_balance, month_of
from operant.allowance.months import add_months
from operant.allowance.rows import month_row_ensure, month_row_lock
from operant.policy.services import policy_in_force

if TYPE_CHECKING:
    from operant.accounts.models import Client


def allowance_month_close(*, client: Client, month: dt.date, now: dt.datetime) -> Balance:
    """Freeze the figures of ``month`` (any day of it) and return them.

    1. Refuse a month that has not ended on the client's calendar.
    2. Lock its row; a closed row is returned as it is.
    3. Derive the figures (allowance with carry-over, usage from the entries) and write them
       with the close time and the policy version they were taken under.
    4. Start the next month's row, so the worker closes that one in its turn.
    """
    month = month.replace(day=1)
    current = month_of(client=client, when=now)
    if month >= current:
        raise AllowanceError(
            f"{month:%B %Y} has not ended for {client.name} ({client.timezone}); "
            "a month closes once it is over"
        )
    version = policy_in_force().version
    with transaction.atomic():
        row = month_row_lock(client=client, month=month, version=version)
        if row.closed_at is None:
            figures = allowance_balance(client=client, month=month)
            row.allowance_minutes = figures.allowance_minutes
            row.carried_minutes = figures.carried_minutes
            row.final_used_minutes = figures.used_minutes
            row.closed_at = now
            row.close_due_at = None
            row.policy_version = version
            row.save()
        month_row_ensure(client=client, month=add_months(month, 1), version=version)
    return allowance_balance(client=client, month=month)
