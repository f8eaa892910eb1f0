"""The public iCalendar feed: the token in the URL is the credential (256 random bits), so an
unknown token is 404 and many of them from one network are throttled, as pings are."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from operant.accounts.throttle import client_network
from operant.maintenance.feed import client_calendar, feed_client
from operant.monitoring.throttle import TokenBuckets

# A calendar app polls a feed every few minutes to hours; this is room for several apps.
per_feed = TokenBuckets(rate=1, burst=30)
# Unknown tokens from one network: a typo is a few, a scan is many.
unknown_per_network = TokenBuckets(rate=0.2, burst=10)


def _text(status: int, text: str) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


@require_safe
def calendar(request: HttpRequest, token: str) -> HttpResponse:
    network = client_network(request)
    client = feed_client(token) if len(token) <= 64 else None
    if client is None:
        if not unknown_per_network.allow(network):
            return _text(429, "too many unknown calendar URLs from your network: slow down")
        return _text(404, "not found")
    if not per_feed.allow(token):
        return _text(429, "this calendar is fetched too often: slow down")
    body = client_calendar(client=client, now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="maintenance.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
