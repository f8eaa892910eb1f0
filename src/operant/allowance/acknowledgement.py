"""What an acknowledgement of a minor-adjustment request says about the allowance (clause 01):
a client asking for one learns what this month has left. Registered with the desk's
acknowledgement (``operant.desk.emails``) when the app is ready."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from operant.allowance.ledger import allowance_balances, month_of
from operant.desk.models import RequestClass

if TYPE_CHECKING:
    from operant.accounts.models import Client
    from operant.desk.models import Ticket


def allowance_acknowledgement_context(
    tickets: list[Ticket], now: dt.datetime
) -> dict[int, dict[str, Any]]:
    """``{"allowance": balance}`` for each adjustment ticket with a client, by ticket key.

    One balance query per month among the clients (clients in different zones may be in
    different months at ``now``), however many tickets: mail routing changes no balance, so
    one read per batch is what a read per ticket would give."""
    wanted = [
        t for t in tickets if t.client is not None and t.request_class == RequestClass.ADJUSTMENT
    ]
    by_month: dict[dt.date, dict[int, Client]] = {}
    for ticket in wanted:
        assert ticket.client is not None
        by_month.setdefault(month_of(client=ticket.client, when=now), {})[ticket.client.pk] = (
            ticket.client
        )
    balances = {}
    for month, clients in by_month.items():
        balances.update(allowance_balances(clients=list(clients.values()), month=month))
    return {t.pk: {"allowance": balances[t.client_id]} for t in wanted}
