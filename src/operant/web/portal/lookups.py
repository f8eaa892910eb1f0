"""The only way portal views find records: always within the signed-in contact's client.

Another client's ticket or quote, a draft quote and an id that does not exist all answer the
same 404, so a contact cannot learn which ids exist elsewhere.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest

from operant.accounts.models import Client, Contact
from operant.desk.models import Ticket
from operant.desk.queries import client_tickets
from operant.monitoring.models import Workflow
from operant.monitoring.queries import workflows_matching
from operant.quotes.models import Quote
from operant.quotes.queries import client_quotes

# What a client may see at all (no internal notes, no draft quotes) is decided by the domain
# apps (``desk.queries``, ``quotes.queries``), for the portal and the client API alike; this
# module adds the portal's 404s.


def contact_of(request: HttpRequest) -> Contact:
    """The contact ``client_user_required`` put on the request."""
    return request.contact  # type: ignore[attr-defined,no-any-return]


def client_of(request: HttpRequest) -> Client:
    return contact_of(request).client


def client_ticket_or_404(client: Client, pk: int) -> Ticket:
    ticket = client_tickets(client).filter(pk=pk).first()
    if ticket is None:
        raise Http404("No such ticket.")
    return ticket


def client_quote_or_404(client: Client, pk: int) -> Quote:
    quote = client_quotes(client).filter(pk=pk).first()
    if quote is None:
        raise Http404("No such quote.")
    return quote


def client_workflow_or_404(client: Client, pk: int) -> Workflow:
    workflow = workflows_matching(client=client).filter(pk=pk).first()
    if workflow is None:
        raise Http404("No such workflow.")
    return workflow
