"""The once-per-month allowance notices: the client and the agents are told when a month's
usage reaches each threshold of the policy's ``notify_at_percent`` (80 % and 100 %).

Once means once, whatever runs twice: the month's row is claimed with a conditional update
(``notified_*_at`` from null to now: one row changed means this call sends), and the queued
notifications carry a dedupe key, so even a replayed claim cannot queue a second copy.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.template.loader import render_to_string

from operant.accounts.models import User
from operant.allowance.ledger import Balance
from operant.allowance.models import AllowanceMonth
from operant.notify.services import notification_queue
from operant.policy.loader import current_policy

if TYPE_CHECKING:
    from operant.accounts.models import Client
    from operant.desk.models import Ticket

NEARING = "notified_80_at"
USED_UP = "notified_100_at"


def _client_addresses(client: Client, ticket: Ticket | None) -> list[str]:
    """The contact who asked (the ticket's) and the billing address, each once."""
    addresses: list[str] = []
    if ticket is not None and ticket.client_id == client.pk:
        addresses.append(ticket.contact.email if ticket.contact_id else ticket.requester_email)
    addresses.append(client.billing_email)
    seen: set[str] = set()
    result = []
    for address in addresses:
        key = (address or "").strip().lower()
        if key and key not in seen:
            seen.add(key)
            result.append(address.strip())
    return result


def _agent_addresses() -> list[str]:
    return list(
        User.objects.filter(is_active=True, role__in=User.STAFF_ROLES)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
    )


def _claim(row: AllowanceMonth, slot: str, now: dt.datetime) -> bool:
    claimed = AllowanceMonth.objects.filter(pk=row.pk, **{f"{slot}__isnull": True}).update(
        **{slot: now}
    )
    return claimed == 1


def allowance_notices_send(
    *,
    client: Client,
    row: AllowanceMonth,
    balance: Balance,
    ticket: Ticket | None,
    now: dt.datetime,
) -> int | None:
    """Tell the client and the agents if the month just reached a threshold; the threshold
    told (a percentage), or None.

    1. Find the highest threshold the month's usage has reached.
    2. Claim its slot on the row; a slot already claimed means they were told: stop.
    3. Reaching 100 % also claims the lower slot: a client told the allowance is used up
       learns nothing from a later "80 % used".
    4. Queue one email to the client (the ticket's contact and the billing address) and one to
       the agents, each under a dedupe key naming the client, month and threshold.
    """
    if balance.closed or balance.allowance_minutes <= 0:
        return None
    thresholds = current_policy().allowance.notify_at_percent
    reached = [p for p in thresholds if balance.used_minutes * 100 >= p * balance.allowance_minutes]
    if not reached:
        return None
    percent = reached[-1]
    slot = USED_UP if percent >= 100 else NEARING
    if not _claim(row, slot, now):
        return None
    if slot == USED_UP:
        _claim(row, NEARING, now)
    context = {
        "client": client,
        "balance": balance,
        "percent": percent,
        "used_up": slot == USED_UP,
        "ticket": ticket,
        "month_label": f"{balance.month:%B %Y}",
    }
    key = f"allowance:{client.pk}:{balance.month:%Y-%m}:{percent}"
    subject = (
        f"Your included minutes for {context['month_label']} are used up"
        if slot == USED_UP
        else f"{percent}% of your included minutes for {context['month_label']} are used"
    )
    to_client = _client_addresses(client, ticket)
    if to_client:
        notification_queue(
            kind="allowance.threshold",
            to=to_client,
            subject=subject,
            body_text=render_to_string("allowance/email/threshold_client.txt", context),
            dedupe_key=f"{key}:client",
            now=now,
        )
    agents = _agent_addresses()
    if agents:
        notification_queue(
            kind="allowance.threshold_agents",
            to=agents,
            subject=f"[{client.name}] allowance {percent}% used for {context['month_label']}",
            body_text=render_to_string("allowance/email/threshold_agents.txt", context),
            dedupe_key=f"{key}:agents",
            now=now,
        )
    return percent
