"""The client's own status: the vendor incidents and the maintenance that affect it, and the
address of its maintenance calendar. Only what vendors.queries and maintenance.scope say
affects this client is shown; another client's incidents and windows never are."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from operant.maintenance.feed import client_feed_url
from operant.maintenance.queries import client_upcoming
from operant.vendors.queries import client_incidents, incidents_with_latest_update
from operant.web.permissions import client_user_required
from operant.web.portal.lookups import client_of

# Resolved incidents stay on the page this long, so a client who looks the next morning still
# reads what happened.
RESOLVED_SHOWN = timedelta(days=7)


@client_user_required
@require_GET
def status(request: HttpRequest) -> HttpResponse:
    client = client_of(request)
    now = timezone.now()
    incidents = incidents_with_latest_update(
        client_incidents(client=client, resolved_since=now - RESOLVED_SHOWN)
    )
    context = {
        "client": client,
        "open_incidents": [i for i in incidents if i.is_open],
        "resolved_incidents": [i for i in incidents if not i.is_open],
        "maintenance": client_upcoming(client=client, now=now),
        "calendar_url": client_feed_url(client=client, now=now),
        "now": now,
    }
    return render(request, "web/portal/status.html", context)
