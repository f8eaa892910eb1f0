"""Read helpers for the agent console's view of stored mail."""

from __future__ import annotations

from django.db.models import QuerySet

from operant.mail.models import InboundMessage


def inbound_flagged() -> QuerySet[InboundMessage]:
    """Stored mail the pipeline flagged (unparseable, or failed to process), newest first.

    The raw bytes are deferred: a list needs the headers we extracted, never the message itself.
    """
    return (
        InboundMessage.objects.filter(flagged=True)
        .select_related("ticket")
        .defer("raw")
        .order_by("-received_at", "-pk")
    )
