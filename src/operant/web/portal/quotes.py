"""The client's quotes: list, one quote with its PDF, and accepting or declining it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from operant.quotes.errors import QuoteError
from operant.quotes.events import when
from operant.quotes.models import Quote, lines_total
from operant.quotes.pdf import quote_has_pdf, quote_pdf_path
from operant.quotes.queries import client_quotes
from operant.quotes.services import quote_accept, quote_decline
from operant.quotes.wording import line_rows, money
from operant.web.permissions import client_user_required
from operant.web.portal.forms import DeclineForm
from operant.web.portal.lookups import client_of, client_quote_or_404


@client_user_required
@require_GET
def quote_list(request: HttpRequest) -> HttpResponse:
    client = client_of(request)
    quotes = [
        {"quote": quote, "total": money(lines_total(quote.lines.all()), quote.currency)}
        for quote in client_quotes(client).prefetch_related("lines").order_by("-sent_at", "-pk")
    ]
    return render(request, "web/portal/quotes.html", {"client": client, "quotes": quotes})


def quote_context(quote: Quote, decline_form: DeclineForm | None = None) -> dict[str, Any]:
    lines = list(quote.lines.all())
    return {
        "quote": quote,
        "lines": line_rows(quote, lines),
        "total": money(lines_total(lines), quote.currency),
        "valid_until": when(quote, quote.valid_until),
        "decided_at": when(quote, quote.decided_at) if quote.decided_at else "",
        "may_decide": quote.is_open,
        "has_pdf": quote_has_pdf(quote),
        "decline_form": decline_form or DeclineForm(),
    }


@client_user_required
@require_GET
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    quote = client_quote_or_404(client_of(request), pk)
    return render(request, "web/portal/quote.html", quote_context(quote))


@client_user_required
@require_GET
def quote_pdf(request: HttpRequest, pk: int) -> FileResponse:
    """The PDF the client was sent (the latest revision)."""
    quote = client_quote_or_404(client_of(request), pk)
    if not quote_has_pdf(quote):
        raise Http404("This quote has no PDF.")
    path = quote_pdf_path(quote)
    return FileResponse(path.open("rb"), content_type="application/pdf", filename=path.name)


@client_user_required
@require_POST
def quote_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Accept or decline through the quotes service (``via="portal"``); the service refuses a
    quote that is no longer sent or has expired, and nothing changes then."""
    quote = client_quote_or_404(client_of(request), pk)
    now = timezone.now()
    try:
        if action == "accept":
            quote = quote_accept(quote=quote, via="portal", actor=request.user, now=now)
            messages.success(request, f"You accepted {quote.ref}. Thank you.")
        else:
            form = DeclineForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            quote = quote_decline(
                quote=quote, via="portal", actor=request.user, now=now, reason=reason
            )
            messages.success(request, f"You declined {quote.ref}.")
    except QuoteError as exc:
        messages.error(request, f"{exc}. Nothing was changed.")
    return redirect("portal:quote", pk=quote.pk)
