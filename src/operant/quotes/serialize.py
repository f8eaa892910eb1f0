"""The one JSON shape of a quote (the API answers it; a CLI would print it)."""

from __future__ import annotations

from typing import Any

from operant.quotes.models import Quote, QuoteLine, lines_total


def _money(value: Any) -> str | None:
    # Strings, never floats: "0.10" must stay ten cents on every client.
    return None if value is None else f"{value:.2f}"


def line_json(line: QuoteLine) -> dict[str, Any]:
    return {
        "id": line.pk,
        "kind": line.kind,
        "description": line.description,
        "hours": _money(line.hours),
        "rate": _money(line.rate),
        "amount": _money(line.amount),
    }


def quote_json(quote: Quote) -> dict[str, Any]:
    lines = list(quote.lines.all())  # one read (none when prefetched) for the lines and the total
    return {
        "ref": quote.ref,
        "client": quote.client.slug,
        "ticket": quote.ticket.ref if quote.ticket_id else None,
        "title": quote.title,
        "scope_category": quote.scope_category,
        "clause": quote.clause,
        "currency": quote.currency,
        "state": quote.state,
        "total": _money(lines_total(lines)),
        "validity_days": quote.validity_days,
        "revision": quote.revision,
        "sent_at": quote.sent_at,
        "sent_to": quote.sent_to or None,
        "valid_until": quote.valid_until,
        "decided_at": quote.decided_at,
        "decided_via": quote.decided_via or None,
        "reply_acceptance_at": quote.reply_acceptance_at,
        "policy_version": quote.policy_version.version if quote.policy_version else None,
        "created_at": quote.created_at,
        "lines": [line_json(line) for line in lines],
    }
