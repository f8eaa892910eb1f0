"""This month's adjustment allowance (policy clause 01) and the months before it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from operant.allowance.ledger import allowance_balance, allowance_history, month_of
from operant.web.permissions import client_user_required
from operant.web.portal.lookups import client_of
from operant.web.portal.pages import render_portal

HISTORY_MONTHS = 12


@client_user_required
@require_GET
def allowance(request: HttpRequest) -> HttpResponse:
    client = client_of(request)
    now = timezone.now()
    balance = allowance_balance(client=client, month=month_of(client=client, when=now))
    history = allowance_history(client=client, months=HISTORY_MONTHS, now=now)
    context = {
        "client": client,
        "balance": balance,
        # The bar never draws past full; the words say by how much it is over.
        "gauge_percent": min(balance.used_percent, 100),
        "history": history,
    }
    return render_portal(request, "web/portal/allowance.html", context)
