"""The client portal: pages for a client's own contacts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from operant.web.permissions import client_user_required
from operant.web.support import support_email


@client_user_required
def home(request: HttpRequest) -> HttpResponse:
    # The client comes from the signed-in contact, never from the URL (see permissions.py).
    contact = request.contact  # type: ignore[attr-defined]
    client = contact.client
    context = {
        "contact": contact,
        "client": client,
        "coverage": client.integration_coverage(),
        "contacts": client.contacts.all(),
        "support_email": support_email(),
    }
    return render(request, "web/portal/home.html", context)
