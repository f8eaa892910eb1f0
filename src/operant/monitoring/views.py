"""The heartbeat endpoint, healthchecks.io's ping API:

    /ping/<uuid>            success          /ping/<uuid>/start   a run started
    /ping/<uuid>/fail       failure          /ping/<uuid>/log     recorded, no state change
    /ping/<uuid>/<0-255>    exit status (0 success, else failure)

GET, HEAD and POST alike; ``?rid=<uuid>`` pairs a start with its finish. The code in the URL is
the secret: an unknown one is 404 and nothing is stored. The body is kept up to
OPERANT_PING_BODY_LIMIT bytes; beyond that it is cut, and the answer says so.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from operant.accounts.throttle import client_network
from operant.monitoring.models import SignalKind
from operant.monitoring.pings import Ping, ping_kind_for_exit, ping_record
from operant.monitoring.throttle import TokenBuckets

_ACTIONS = {
    "": SignalKind.SUCCESS,
    "start": SignalKind.START,
    "fail": SignalKind.FAIL,
    "log": SignalKind.LOG,
}
ALLOWED = ("GET", "HEAD", "POST")
# A workflow pings every minute or so; 10 a second with bursts of 100 leaves room for any
# honest schedule (and for retries after an outage) but not for a loop gone wrong.
per_workflow = TokenBuckets(rate=10, burst=100)
# Unknown codes from one network: a typo is a few, a scan is many.
unknown_per_network = TokenBuckets(rate=1, burst=30)


def _text(status: int, text: str) -> HttpResponse:
    response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _not_found(network: str) -> HttpResponse:
    if not unknown_per_network.allow(network):
        return _text(429, "too many unknown ping URLs from your network: slow down")
    return _text(404, "not found")


@csrf_exempt
def ping(request: HttpRequest, code: uuid.UUID | str, action: str = "") -> HttpResponse:
    if request.method not in ALLOWED:
        return _text(405, "method not allowed: use GET, HEAD or POST")
    exit_status = None
    if action.isdigit():
        exit_status = int(action)
        if exit_status > 255:
            return _text(400, "exit status must be from 0 to 255")
        kind = ping_kind_for_exit(exit_status)
    elif action in _ACTIONS:
        kind = _ACTIONS[action]
    else:
        return _text(404, "not found")
    rid = None
    if "rid" in request.GET:
        try:
            rid = uuid.UUID(request.GET["rid"])
        except ValueError:
            return _text(400, "rid must be a UUID")
    network = client_network(request)
    try:
        code = uuid.UUID(str(code))
    except ValueError:
        return _not_found(network)
    if not per_workflow.allow(code.hex):
        return _text(429, "too many pings for this workflow: slow down")
    # Read one byte past the limit from the stream (not request.body, which refuses large
    # bodies outright): enough to keep what is kept and to know that the rest was cut.
    limit = settings.OPERANT_PING_BODY_LIMIT
    body = request.read(limit + 1) if request.method == "POST" else b""
    outcome = ping_record(
        code=code,
        ping=Ping(
            kind=kind,
            body=body,
            exit_status=exit_status,
            rid=rid,
            method=request.method,
            remote_addr=request.META.get("REMOTE_ADDR", ""),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        ),
        now=timezone.now(),
    )
    if outcome is None:
        return _not_found(network)
    if outcome.body_truncated:
        return _text(200, "OK (body truncated)")
    return _text(200, "OK")
