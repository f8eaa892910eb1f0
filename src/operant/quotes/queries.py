"""Read-only questions about quotes: which a client may see, how much of the estimate has
been used."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet, Sum

from operant.accounts.models import Client
from operant.allowance.models import EntryKind, TimeEntry
from operant.quotes.models import CENT, Quote, QuoteState


def client_quotes(client: Client) -> QuerySet[Quote]:
    """The quotes a client may see (the portal and the client API both ask here). Drafts are
    the agent's work in progress: a client sees a quote once it was sent."""
    return Quote.objects.filter(client=client).exclude(state=QuoteState.DRAFT)


def quote_minutes_logged(quote: Quote) -> int:
    """Minutes of quoted work logged against ``quote`` (live entries only).

    Read from the allowance app's table directly: time is logged there (``time_log(...,
    kind="quoted", quote=...)``), and this is only a sum of it.
    """
    total = TimeEntry.objects.filter(
        quote=quote, kind=EntryKind.QUOTED, deleted_at__isnull=True
    ).aggregate(minutes=Sum("minutes"))["minutes"]
    return int(total or 0)


@dataclass(frozen=True)
class Progress:
    estimated_hours: Decimal
    logged_minutes: int
    logged_hours: Decimal
    # Logged as a share of the estimate, for a bar; None when nothing was estimated in hours.
    percent: int | None

    @property
    def over(self) -> bool:
        return self.logged_hours > self.estimated_hours > 0


def quote_progress(quote: Quote) -> Progress:
    """The quote's hours lines against the quoted time logged so far."""
    estimated = quote.estimated_hours()
    minutes = quote_minutes_logged(quote)
    logged = (Decimal(minutes) / 60).quantize(CENT, rounding=ROUND_HALF_UP)
    percent = int(logged * 100 / estimated) if estimated > 0 else None
    return Progress(estimated, minutes, logged, percent)
