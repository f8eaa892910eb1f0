"""What a new quote starts from when an agent builds it from a ticket (or from the allowance
page's overdraft link, which passes the minutes the allowance lacks)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from operant.quotes.models import CENT, OVERDRAFT, TITLE_MAX

if TYPE_CHECKING:
    from operant.accounts.models import Client
    from operant.desk.models import Ticket
    from operant.policy.schema import Policy

MAX_PREFILL_MINUTES = 100_000


@dataclass(frozen=True)
class DraftDefaults:
    client: Client | None
    title: str
    scope_category: str
    validity_days: int
    line_description: str
    line_hours: Decimal | None


def quote_draft_defaults(
    *, ticket: Ticket | None, minutes: int | None, policy: Policy
) -> DraftDefaults:
    """1. Client and title from the ticket. 2. The scope category the ticket was classified
    under; minutes without one are an allowance overdraft. 3. Minutes become an hours line
    (N/60 hours, to the cent)."""
    keys = [str(category.key) for category in policy.out_of_scope]
    scope = ""
    if ticket is not None and ticket.scope_category in keys:
        scope = ticket.scope_category
    elif minutes:
        scope = OVERDRAFT
    hours = None
    description = ""
    if minutes and 0 < minutes <= MAX_PREFILL_MINUTES:
        hours = (Decimal(minutes) / 60).quantize(CENT, rounding=ROUND_HALF_UP)
        where = f" on {ticket.ref}" if ticket is not None else ""
        if scope == OVERDRAFT:
            description = f"Adjustments beyond the monthly allowance{where} ({minutes} minutes)"
        else:
            description = f"Estimated work{where} ({minutes} minutes)"
    return DraftDefaults(
        client=ticket.client if ticket is not None else None,
        # A subject may be longer than a title can be: the title is its beginning, cut to fit.
        title=" ".join(ticket.subject.split())[:TITLE_MAX].rstrip() if ticket is not None else "",
        scope_category=scope,
        validity_days=int(policy.quotes.validity_days),
        line_description=description,
        line_hours=hours,
    )
