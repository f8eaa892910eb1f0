"""The client's tickets: the list, one ticket's conversation, and replying to it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from operant.desk.models import Message, Ticket
from operant.desk.queries import client_conversation, client_tickets
from operant.mail.portal import PortalRequestInvalid, portal_request_submit
from operant.web.permissions import client_user_required
from operant.web.portal.forms import ReplyForm
from operant.web.portal.lookups import client_of, client_ticket_or_404, contact_of

PAGE_SIZE = 50


def _visible_text(message: Message) -> str:
    """What the writer wrote in this message, without the history quoted below it."""
    if message.quoted_text_start is None:
        return message.text
    return message.text[: message.quoted_text_start]


@client_user_required
@require_GET
def ticket_list(request: HttpRequest) -> HttpResponse:
    client = client_of(request)
    tickets = client_tickets(client).order_by("-last_message_at", "-pk")
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/portal/tickets.html", {"client": client, "page": page})


def ticket_context(request: HttpRequest, ticket: Ticket, form: ReplyForm) -> dict[str, Any]:
    conversation = [
        {"message": message, "text": _visible_text(message)}
        for message in client_conversation(ticket)
    ]
    return {
        "client": client_of(request),
        "ticket": ticket,
        "conversation": conversation,
        "form": form,
    }


@client_user_required
@require_GET
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = client_ticket_or_404(client_of(request), pk)
    return render(request, "web/portal/ticket.html", ticket_context(request, ticket, ReplyForm()))


@client_user_required
@require_POST
def ticket_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """A reply goes through the mail pipeline, as if emailed, so it threads and reopens the
    ticket exactly as an emailed reply would."""
    ticket = client_ticket_or_404(client_of(request), pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            portal_request_submit(
                contact=contact_of(request),
                subject="",
                text=form.cleaned_data["text"],
                ticket=ticket,
                now=timezone.now(),
            )
        except PortalRequestInvalid as exc:
            form.add_error("text", str(exc))
        else:
            messages.success(request, "Your reply was added.")
            return redirect("portal:ticket", pk=ticket.pk)
    context = ticket_context(request, ticket, form)
    return render(request, "web/portal/ticket.html", context, status=400)
