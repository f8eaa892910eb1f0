"""The only way portal views find records: always within the signed-in contact's client.

Another client's ticket or quote, a draft quote and an id that does not exist all answer the
same 404, so a contact cannot learn which ids exist elsewhere.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from operant.accounts.models import Client, Contact
from operant.desk.models import Message, MessageKind, Ticket
from operant.quotes.models import Quote, QuoteState

# What a client may read of a ticket. Internal notes are left out by naming what is shown,
# so a message kind added later stays hidden until someone decides it is for clients.
CLIENT_VISIBLE_KINDS = (MessageKind.INBOUND, MessageKind.OUTBOUND, MessageKind.ACKNOWLEDGEMENT)


def contact_of(request: HttpRequest) -> Contact:
    """The contact ``client_user_required`` put on the request."""
    return request.contact  # type: ignore[attr-defined,no-any-return]


def client_of(request: HttpRequest) -> Client:
    return contact_of(request).client


def client_tickets(client: Client) -> QuerySet[Ticket]:
    return Ticket.objects.filter(client=client)


def client_ticket_or_404(client: Client, pk: int) -> Ticket:
    ticket = client_tickets(client).filter(pk=pk).first()
    if ticket is None:
        raise Http404("No such ticket.")
    return ticket


def client_conversation(ticket: Ticket) -> QuerySet[Message]:
    return (
        ticket.messages.filter(kind__in=CLIENT_VISIBLE_KINDS)
        .select_related("author")
        .order_by("created_at", "pk")
    )


def client_quotes(client: Client) -> QuerySet[Quote]:
    # Drafts are the agent's work in progress: a client sees a quote once it was sent.
    return Quote.objects.filter(client=client).exclude(state=QuoteState.DRAFT)


def client_quote_or_404(client: Client, pk: int) -> Quote:
    quote = client_quotes(client).filter(pk=pk).first()
    if quote is None:
        raise Http404("No such quote.")
    return quote
