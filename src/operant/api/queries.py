"""Read-side queries for the ticket routes: the filters, over the desk's own queue order."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from operant.accounts.models import Client
from operant.api.schemas import TicketFilters
from operant.core.errors import UserError
from operant.desk.models import Ticket
from operant.desk.queries import inbox_tickets


class UnknownClient(UserError):
    pass


def tickets_condition(filters: TicketFilters) -> Q:
    """One condition for every filter given (they combine with AND).

    An unknown client slug is an error, not an empty page: a typo must not look like "no
    tickets". ``unmatched`` and ``flagged`` are three-way: absent does not filter, false keeps
    only the matched (or unflagged) tickets.
    """
    condition = Q()
    if filters.class_ is not None:
        condition &= Q(request_class=filters.class_)
    if filters.state is not None:
        condition &= Q(state=filters.state)
    if filters.client is not None:
        client_id = Client.objects.filter(slug=filters.client).values_list("pk", flat=True).first()
        if client_id is None:
            raise UnknownClient(f"no client with slug {filters.client!r}")
        condition &= Q(client_id=client_id)
    if filters.unmatched is not None:
        condition &= Q(client__isnull=filters.unmatched)
    if filters.flagged is not None:
        condition &= Q(flagged=filters.flagged)
    if filters.clock_state is not None:
        condition &= Q(clock_state=filters.clock_state)
    return condition


def tickets_count(condition: Q) -> int:
    # Counted on the bare table: a COUNT over the joined, grouped queue query is needlessly slow.
    return Ticket.objects.filter(condition).count()


def tickets_queue(condition: Q) -> QuerySet[Ticket]:
    """Matching tickets in the console's queue order (due first; see ``inbox_tickets``), with
    everything ``ticket_json`` reads loaded in the same query."""
    return (
        inbox_tickets()
        .filter(condition)
        .select_related("policy_version")
        # The version row stores the policy's full text; a ticket shows only its name.
        .defer("policy_version__text")
        .annotate(message_count=Count("messages"))
    )
