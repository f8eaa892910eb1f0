"""What an agent does on a quote page: edit lines (HTMX), send, reopen, record the client's
answer, confirm or dismiss a reply acceptance.

Line edits answer an HTMX request with the lines panel alone (the rest of the page stays as
it is); every other action, and every action without JavaScript, redirects back to the page.
A service's ``QuoteError`` is shown on the page, next to the form that was used, with 400.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from operant.accounts.models import User
from operant.core.errors import UserError
from operant.quotes.models import Quote
from operant.quotes.services import (
    quote_accept,
    quote_decline,
    quote_line_add,
    quote_line_remove,
    quote_reopen,
    quote_reply_acceptance_dismiss,
    quote_send,
)
from operant.web.console.quotes import quote_context, quote_or_404
from operant.web.console.quotes_forms import DeclineForm, LineForm
from operant.web.console.tickets_forms import first_error
from operant.web.permissions import agent_required


def _lines_answer(
    request: HttpRequest, pk: int, *, error: str | None, form: LineForm | None
) -> HttpResponse:
    quote = quote_or_404(pk)
    errors = {"lines": error} if error else {}
    # A refused line keeps what the agent typed; an added one clears the form for the next.
    context = quote_context(quote, line_form=form if error else None, errors=errors)
    if getattr(request, "htmx", None):
        return render(request, "web/console/quotes/_lines.html", context)
    if error:
        return render(request, "web/console/quotes/detail.html", context, status=400)
    return redirect(reverse("console:quote", args=[pk]) + "#quote-lines")


@agent_required
@require_POST
def quote_line_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    quote = quote_or_404(pk)
    form = LineForm(request.POST)
    error = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            quote_line_add(
                quote=quote,
                kind=data["kind"],
                description=data["description"],
                hours=data["hours"] or None,
                rate=data["rate"] or None,
                amount=data["amount"] or None,
                actor=request.user,
                now=timezone.now(),
            )
        except UserError as exc:
            error = str(exc)
    else:
        error = first_error(form)
    return _lines_answer(request, pk, error=error, form=form)


@agent_required
@require_POST
def quote_line_remove_view(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    quote = quote_or_404(pk)
    error = None
    try:
        quote_line_remove(quote=quote, line_id=line_pk, actor=request.user, now=timezone.now())
    except UserError as exc:
        error = str(exc)
    return _lines_answer(request, pk, error=error, form=None)


# action(quote, agent, now) calls one service; its return value is not used.
Action = Callable[[Quote, User, datetime], object]


def _perform(request: HttpRequest, pk: int, action: Action, done: str) -> HttpResponse:
    quote = quote_or_404(pk)
    try:
        action(quote, request.user, timezone.now())
    except UserError as exc:
        context = quote_context(quote_or_404(pk), errors={"actions": str(exc)})
        return render(request, "web/console/quotes/detail.html", context, status=400)
    messages.success(request, done)
    return redirect("console:quote", pk=pk)


@agent_required
@require_POST
def quote_send_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _perform(
        request,
        pk,
        lambda quote, agent, now: quote_send(quote=quote, actor=agent, now=now),
        "Quote sent to the client.",
    )


@agent_required
@require_POST
def quote_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _perform(
        request,
        pk,
        lambda quote, agent, now: quote_reopen(quote=quote, actor=agent, now=now),
        "Quote back to draft: its links no longer work until you send it again.",
    )


@agent_required
@require_POST
def quote_accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The client said yes outside the link (on the phone): the agent records it."""
    return _perform(
        request,
        pk,
        lambda quote, agent, now: quote_accept(quote=quote, via="agent", actor=agent, now=now),
        "Acceptance recorded.",
    )


@agent_required
@require_POST
def quote_decline_view(request: HttpRequest, pk: int) -> HttpResponse:
    form = DeclineForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _perform(
        request,
        pk,
        lambda quote, agent, now: quote_decline(
            quote=quote, via="agent", actor=agent, now=now, reason=reason
        ),
        "Decline recorded.",
    )


@agent_required
@require_POST
def quote_confirm_reply_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The client's email reply said yes; the agent read it and confirms the acceptance."""
    return _perform(
        request,
        pk,
        lambda quote, agent, now: quote_accept(quote=quote, via="reply", actor=agent, now=now),
        "Acceptance by reply confirmed.",
    )


@agent_required
@require_POST
def quote_dismiss_reply_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _perform(
        request,
        pk,
        lambda quote, agent, now: quote_reply_acceptance_dismiss(quote=quote, actor=agent, now=now),
        "Reply dismissed: the quote waits for an answer again.",
    )
