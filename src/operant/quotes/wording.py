"""How a quote is put into words, the same in the email, the PDF and the pages."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

# '1,250.00 USD': the figures as the client will be invoiced, as the policy page writes them.
from operant.policy.render import money
from operant.quotes.models import OVERDRAFT, Quote, QuoteLine

if TYPE_CHECKING:
    from operant.policy.schema import Policy

__all__ = ["hours_text", "line_rows", "money", "scope_category_text", "scope_statement"]


def hours_text(hours: Decimal | None) -> str:
    return "" if hours is None else f"{hours.normalize():f}"


def line_rows(quote: Quote, lines: Iterable[QuoteLine]) -> list[dict[str, str]]:
    """The line items as the email and the pages show them."""
    return [
        {
            "description": line.description,
            "hours": hours_text(line.hours),
            "rate": money(line.rate, quote.currency) if line.rate is not None else "",
            "amount": money(line.amount, quote.currency),
        }
        for line in lines
    ]


def scope_category_text(key: str, policy: Policy) -> str:
    """The policy's own words for a category (its key when the policy no longer lists it)."""
    if key == OVERDRAFT:
        return (
            "Minor adjustments beyond the "
            f"{policy.allowance.minutes_per_month} minutes per month included"
        )
    for category in policy.out_of_scope:
        if category.key == key:
            return str(category.text)
    return key


def scope_statement(quote: Quote, policy: Policy) -> str:
    """Why this work is quoted: the clause and its category, cited as the policy words it."""
    text = scope_category_text(quote.scope_category, policy)
    if quote.scope_category == OVERDRAFT:
        return f"Quoted separately: {text} (clause 01)."
    return f"Quoted separately under clause {quote.clause}: {text}."
