"""Worker jobs of the quotes app."""

from __future__ import annotations

from datetime import datetime

from operant.quotes.decisions import quote_expire_due


def quotes_expire(*, now: datetime) -> int:
    """Expire sent quotes whose validity has passed (see ``quote_expire_due``)."""
    return quote_expire_due(now=now)
