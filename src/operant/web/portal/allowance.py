"""This month's adjustment allowance (policy clause 01) and the months before it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from operant.allowance.ledger import allowance_history
from operant.monitoring.queries import adjustments_bought
from operant.web.permissions import client_user_required
from operant.web.portal.lookups import client_of

HISTORY_MONTHS = 12


@client_user_required
@require_GET
def allowance(request: HttpRequest) -> HttpResponse:
    client = client_of(request)
    # Newest first: the first month is the current one, so its balance is not read twice.
    history = allowance_history(client=client, months=HISTORY_MONTHS, now=timezone.now())
    balance = history[0]
    context = {
        "client": client,
        "balance": balance,
        # The bar never draws past full; the words say by how much it is over.
        "gauge_percent": min(balance.used_percent, 100),
        "history": history,
        # What each of this month's minor adjustments produced in the client's workflows.
        "bought": adjustments_bought(client=client, month=balance.month),
    }
    return render(request, "web/portal/allowance.html", context)
