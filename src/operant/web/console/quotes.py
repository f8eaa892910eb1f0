"""The agent's quote pages: the list, a new quote (from a ticket), and one quote with its
lines, answers and history. The actions on a quote are in ``quotes_actions``.

Every rule (what may be sent, who may accept, what a line costs) is in
``operant.quotes.services``; these views read input, call a service and show the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from operant.core.errors import UserError
from operant.desk.models import Ticket
from operant.desk.serialize import TicketNotFound, ticket_by_ref
from operant.policy.services import policy_in_force
from operant.quotes.events import when
from operant.quotes.models import Quote, QuoteEvent, QuoteState, lines_total
from operant.quotes.pdf import quote_has_pdf, quote_pdf_path
from operant.quotes.prefill import quote_draft_defaults
from operant.quotes.queries import quote_progress
from operant.quotes.services import quote_create, scope_keys
from operant.quotes.wording import line_rows, money, scope_category_text, scope_statement
from operant.web.console.quotes_forms import LineForm, QuoteFilterForm, QuoteNewForm
from operant.web.console.tickets_forms import first_error
from operant.web.permissions import agent_required


def quote_or_404(pk: int) -> Quote:
    quote = (
        Quote.objects.select_related("client__package", "ticket", "created_by", "policy_version")
        .filter(pk=pk)
        .first()
    )
    if quote is None:
        raise Http404("No such quote.")
    return quote


@agent_required
@require_GET
@vary_on_headers("HX-Request")
def quote_list(request: HttpRequest) -> HttpResponse:
    """All quotes, newest first, filtered by state, client, or a reply waiting to be confirmed;
    an HTMX request (live filtering) gets only the results fragment."""
    form = QuoteFilterForm(request.GET)
    quotes = Quote.objects.search(**form.filters()).select_related("client", "ticket")[:500]
    context = {"form": form, "quotes": quotes}
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        return render(request, "web/console/quotes/_results.html", context)
    return render(request, "web/console/quotes/list.html", context)


def _scope_choices() -> list[tuple[str, str]]:
    policy = policy_in_force().policy
    return [(key, scope_category_text(key, policy)) for key in scope_keys(policy)]


def _prefill_ticket(request: HttpRequest) -> Ticket | None:
    ref = request.GET.get("ticket", "").strip()
    if not ref:
        return None
    try:
        return ticket_by_ref(ref)
    except TicketNotFound as exc:
        raise Http404(str(exc)) from None


def _minutes(request: HttpRequest) -> int | None:
    try:
        minutes = int(request.GET.get("minutes", ""))
    except ValueError:
        return None
    return minutes if minutes > 0 else None


@agent_required
@require_http_methods(["GET", "POST"])
def quote_new(request: HttpRequest) -> HttpResponse:
    """GET: the form, prefilled from ``?ticket=OPR-12`` (client, title, scope category) and
    ``&minutes=N`` (a first line of N/60 hours). POST: create the draft, then its first line."""
    choices = _scope_choices()
    if request.method == "GET":
        ticket = _prefill_ticket(request)
        defaults = quote_draft_defaults(
            ticket=ticket, minutes=_minutes(request), policy=policy_in_force().policy
        )
        form = QuoteNewForm(
            scope_choices=choices,
            initial={
                "client": defaults.client.slug if defaults.client else None,
                "ticket": ticket.ref if ticket else "",
                "title": defaults.title,
                "scope_category": defaults.scope_category,
                "validity_days": defaults.validity_days,
                "line_description": defaults.line_description,
                "line_hours": defaults.line_hours,
            },
        )
        return _new_page(request, form, ticket=ticket)
    form = QuoteNewForm(request.POST, scope_choices=choices)
    ticket = None
    error = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            ticket = ticket_by_ref(data["ticket"]) if data["ticket"] else None
            quote = _create(request, data, ticket)
        except (UserError, TicketNotFound) as exc:
            error = str(exc)
        else:
            return redirect("console:quote", pk=quote.pk)
    else:
        error = first_error(form)
    return _new_page(request, form, ticket=ticket, error=error, status=400)


def _create(request: HttpRequest, data: dict[str, Any], ticket: Ticket | None) -> Quote:
    lines = []
    if data["line_description"] or data["line_hours"] is not None:
        lines.append(
            {"kind": "hours", "description": data["line_description"], "hours": data["line_hours"]}
        )
    return quote_create(
        client=data["client"],
        ticket=ticket,
        title=data["title"],
        scope_category=data["scope_category"],
        validity_days=data["validity_days"],
        created_by=request.user,
        now=timezone.now(),
        lines=lines,
    )


def _new_page(
    request: HttpRequest,
    form: Form,
    *,
    ticket: Ticket | None,
    error: str | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {"form": form, "ticket": ticket, "error": error}
    return render(request, "web/console/quotes/new.html", context, status=status)


@dataclass(frozen=True)
class EventLine:
    event: QuoteEvent
    text: str


def _event_text(event: QuoteEvent) -> str:
    data = event.data or {}
    kind = event.kind
    if kind == "created":
        return "Drafted"
    if kind == "line_added":
        return f"Line added: {data.get('description', '')} ({data.get('amount', '?')})"
    if kind == "line_removed":
        return f"Line removed: {data.get('description', '')}"
    if kind == "sent":
        return f"Sent to {data.get('to', '?')} (revision {data.get('revision', '?')})"
    if kind in ("accepted", "declined"):
        via = {"link": "through the link", "reply": "by email reply", "agent": "by an agent"}
        text = f"{kind.capitalize()} {via.get(data.get('via', ''), '')}".strip()
        return text + (f": {data['reason']}" if data.get("reason") else "")
    if kind == "reply_acceptance":
        return f"The client replied yes: {data.get('excerpt', '')!s}"[:300]
    if kind == "reply_acceptance_dismissed":
        return "Reply acceptance dismissed"
    if kind == "reopened":
        return f"Reopened from {data.get('from', '?')} to revise"
    if kind == "expired":
        return "Expired unanswered"
    return kind.replace("_", " ").capitalize()


def quote_context(
    quote: Quote, *, line_form: Form | None = None, errors: dict[str, str] | None = None
) -> dict[str, Any]:
    policy = policy_in_force().policy
    lines = list(quote.lines.all())
    rows = [{"line": line, **row} for line, row in zip(lines, line_rows(quote, lines), strict=True)]
    return {
        "quote": quote,
        "rows": rows,
        "total": money(lines_total(lines), quote.currency),
        "scope": scope_statement(quote, policy),
        "valid_until": when(quote, quote.valid_until) if quote.valid_until else "",
        "progress": quote_progress(quote),
        # Sent or expired quotes go back to draft to be revised (the model's transitions).
        "may_reopen": quote.may_become(QuoteState.DRAFT),
        "events": [
            EventLine(event, _event_text(event)) for event in quote.events.select_related("actor")
        ],
        "line_form": line_form or LineForm(initial={"kind": "hours"}),
        "errors": errors or {},
        "hourly_rate": money(policy.quotes.hourly_rate, quote.currency),
        "has_pdf": quote_has_pdf(quote),
    }


@agent_required
@require_GET
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    quote = quote_or_404(pk)
    return render(request, "web/console/quotes/detail.html", quote_context(quote))


@agent_required
@require_GET
def quote_pdf(request: HttpRequest, pk: int) -> FileResponse:
    """The PDF the client was sent (the latest revision)."""
    quote = quote_or_404(pk)
    if not quote_has_pdf(quote):
        raise Http404("This quote has not been sent, so it has no PDF yet.")
    path = quote_pdf_path(quote)
    return FileResponse(path.open("rb"), content_type="application/pdf", filename=path.name)
