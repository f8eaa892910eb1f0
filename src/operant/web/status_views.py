"""The public status page and its Atom feed: no login (clients and prospects read it when
something is wrong, perhaps with the desk itself), throttled per network like the other public
endpoints, and cacheable for a short while."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from operant.accounts.throttle import client_network
from operant.monitoring.throttle import TokenBuckets
from operant.web.status import public_status
from operant.web.status_feed import status_atom

# A reader refreshing by hand, a feed reader, a monitor checking every few seconds: room for
# all of them from one network; a scraper hammering the page's queries is slowed down.
per_network = TokenBuckets(rate=1, burst=60)


def _slow_down() -> HttpResponse:
    response = HttpResponse(
        "too many requests for the status page from your network: slow down",
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = "10"
    return response


@require_safe
@cache_control(public=True, max_age=30)
def status_page(request: HttpRequest) -> HttpResponse:
    if not per_network.allow(client_network(request)):
        return _slow_down()
    status = public_status(now=timezone.now())
    return render(request, "web/status/status.html", {"status": status})


@require_safe
@cache_control(public=True, max_age=60)
def status_feed(request: HttpRequest) -> HttpResponse:
    if not per_network.allow(client_network(request)):
        return _slow_down()
    body = status_atom(now=timezone.now())
    return HttpResponse(body, content_type="application/atom+xml; charset=utf-8")
