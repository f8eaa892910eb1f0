"""The client's answer to a quote, through the signed link in the quote email. No login.

A GET only shows the quote and asks to confirm: mail scanners and link previews fetch URLs, and
a fetch must never accept anything. The POST (with Django's CSRF check) does the deed.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from operant.accounts.models import Contact
from operant.policy.loader import current_policy
from operant.quotes.errors import LinkRefused, QuoteError
from operant.quotes.events import when
from operant.quotes.links import ACCEPT, quote_link_check
from operant.quotes.models import Quote, lines_total
from operant.quotes.services import quote_accept, quote_decline
from operant.quotes.wording import line_rows, money, scope_statement


def _viewer_client_id(request: HttpRequest) -> int | None:
    """The client of a signed-in contact: a contact of another client is refused the link
    (the link is meant for its own client; staff and visitors are judged by the link alone)."""
    user = request.user
    if not user.is_authenticated or not getattr(user, "is_client_user", False):
        return None
    return Contact.objects.filter(user=user).values_list("client_id", flat=True).first()


def _private(response: HttpResponse) -> HttpResponse:
    # The token in the URL is a credential: keep it out of caches, indexes and other sites'
    # Referer headers. Not "no-referrer": browsers then send "Origin: null" with the confirm
    # POST, and Django's CSRF check rightly refuses it.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _quote_context(quote: Quote) -> dict[str, Any]:
    lines = list(quote.lines.all())
    return {
        "quote": quote,
        "lines": line_rows(quote, lines),
        "total": money(lines_total(lines), quote.currency),
        "scope": scope_statement(quote, current_policy()),
        "valid_until": when(quote, quote.valid_until),
    }


def _refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return _private(
        render(request, "quotes/public/refused.html", {"message": message}, status=status)
    )


@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, token: str) -> HttpResponse:
    """1. Check the link (signature, client, single use, revision, expiry). 2. GET: show the
    quote and a confirm button. 3. POST: accept or decline through the service, bound to the
    link's nonce, and say what happened."""
    now = timezone.now()
    try:
        check = quote_link_check(token=token, now=now, viewer_client_id=_viewer_client_id(request))
    except LinkRefused as exc:
        return _refused(request, str(exc), exc.status)
    quote = check.quote
    context = {**_quote_context(quote), "action": check.action, "accepting": check.action == ACCEPT}
    if request.method == "GET":
        return _private(render(request, "quotes/public/confirm.html", context))
    actor = request.user if request.user.is_authenticated else None
    try:
        if check.action == ACCEPT:
            quote = quote_accept(quote=quote, via="link", actor=actor, now=now, nonce=check.nonce)
        else:
            reason = request.POST.get("reason", "")
            quote = quote_decline(
                quote=quote, via="link", actor=actor, now=now, reason=reason, nonce=check.nonce
            )
    except QuoteError as exc:
        # Lost a race with another click, the worker or a revision: nothing was changed.
        return _refused(request, f"{exc}. Nothing was changed.", 409)
    context = {**context, "quote": quote, "decided_at": when(quote, quote.decided_at)}
    return _private(render(request, "quotes/public/done.html", context))
