"""Provider webhooks: Twilio message status callbacks, Twilio Debugger alerts, Meta events.

Each answers quickly and plainly: 2xx once the signal is stored (or knowingly ignored), so the
provider does not retry; 400 for a signed request we cannot read; 403 for a forged, unsigned,
wrong-account or stale one (``signing.request_reject``); 503 while the secret it needs is not
configured. No throttle: every request is signed, and a refused one costs one row.
"""

from __future__ import annotations

import hmac
import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from operant.core.timefmt import iso_or_none
from operant.monitoring.providers.meta import (
    MetaProblem,
    meta_delivery_record,
    meta_is_stale,
    meta_parse,
)
from operant.monitoring.providers.signing import (
    TwilioSigner,
    meta_signature_valid,
    not_configured,
    request_reject,
    text_response,
    twilio_request_check,
)
from operant.monitoring.providers.twilio_alerts import (
    AlertProblem,
    alert_is_stale,
    alert_parse,
    twilio_alert_record,
)
from operant.monitoring.providers.twilio_status import (
    Outcome,
    StatusCallback,
    status_callback_problem,
    twilio_status_record,
)

log = logging.getLogger(__name__)


def _bad_request(endpoint: str, problem: str, request: HttpRequest) -> HttpResponse:
    log.warning("%s webhook: %s (from %s)", endpoint, problem, request.META.get("REMOTE_ADDR"))
    return text_response(400, problem)


TwilioView = Callable[[HttpRequest, TwilioSigner, datetime], HttpResponse]


def twilio_signed(endpoint: str) -> Callable[[TwilioView], Callable[[HttpRequest], HttpResponse]]:
    """A Twilio webhook: POST only, and the view runs with the account that signed it."""

    def decorate(view: TwilioView) -> Callable[[HttpRequest], HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def checked(request: HttpRequest) -> HttpResponse:
            if request.method != "POST":
                return text_response(405, "method not allowed: Twilio posts its webhooks")
            now = timezone.now()
            signer = twilio_request_check(request=request, endpoint=endpoint, now=now)
            if isinstance(signer, HttpResponse):
                return signer
            return view(request, signer, now)

        return checked

    return decorate


def _refuse_stale(request: HttpRequest, endpoint: str, what: str, now: datetime) -> HttpResponse:
    """A signed request too old for any retry of the provider's: a replay, refused."""
    return request_reject(request=request, endpoint=endpoint, reason=f"stale {what}", now=now)


@twilio_signed("twilio_status")
def twilio_status(request: HttpRequest, signer: TwilioSigner, now: datetime) -> HttpResponse:
    endpoint = "twilio_status"
    code = None
    if "workflow" in request.GET:
        try:
            code = uuid.UUID(request.GET["workflow"])
        except ValueError:
            return _bad_request(endpoint, "workflow must be a workflow's code (a UUID)", request)
    post = request.POST
    callback = StatusCallback(
        message_sid=post.get("MessageSid") or post.get("SmsSid", ""),
        status=(post.get("MessageStatus") or post.get("SmsStatus", "")).strip().lower(),
        sender=post.get("From", "").strip(),
        recipient=post.get("To", "").strip(),
        error_code=post.get("ErrorCode", "").strip(),
        messaging_service_sid=post.get("MessagingServiceSid", ""),
        workflow_code=code,
        remote_addr=request.META.get("REMOTE_ADDR", ""),
    )
    problem = status_callback_problem(callback)
    if problem:
        return _bad_request(endpoint, problem, request)
    outcome = twilio_status_record(signer=signer, callback=callback, now=now)
    if outcome is Outcome.OTHER_CLIENT:
        return request_reject(
            request=request,
            endpoint=endpoint,
            reason=f"workflow {code} is not a workflow of Twilio account {signer.account_sid}",
            now=now,
        )
    if outcome is Outcome.UNKNOWN_CODE:
        return text_response(404, "no workflow has that code")
    if outcome is Outcome.NO_WORKFLOW:
        log.info("twilio status callback for %s: no workflow is known by it", callback.sender)
    return text_response(200, "OK")


@twilio_signed("twilio_alerts")
def twilio_alerts(request: HttpRequest, signer: TwilioSigner, now: datetime) -> HttpResponse:
    endpoint = "twilio_alerts"
    try:
        alert = alert_parse(request.POST.dict(), remote_addr=request.META.get("REMOTE_ADDR", ""))
    except AlertProblem as exc:
        return _bad_request(endpoint, str(exc), request)
    if alert_is_stale(alert, now):
        return _refuse_stale(request, endpoint, f"alert {alert.sid} of {alert.at.isoformat()}", now)
    log.log(
        logging.WARNING if alert.is_error else logging.INFO,
        "twilio %s alert %s: error %s on %s",
        alert.level,
        alert.sid,
        alert.error_code or "?",
        alert.resource_sid or "?",
    )
    if twilio_alert_record(signer=signer, alert=alert, now=now) is None:
        log.info("twilio alert %s names no workflow of %s", alert.sid, signer.account_sid)
    return text_response(200, "OK")


def _meta_handshake(request: HttpRequest) -> HttpResponse:
    endpoint = "meta"
    expected = settings.OPERANT_META_VERIFY_TOKEN
    if not expected:
        return not_configured(endpoint, "OPERANT_META_VERIFY_TOKEN")
    token = request.GET.get("hub.verify_token", "")
    if request.GET.get("hub.mode") == "subscribe" and hmac.compare_digest(
        token.encode(), expected.encode()
    ):
        return text_response(200, request.GET.get("hub.challenge", ""))
    return request_reject(
        request=request,
        endpoint=endpoint,
        reason="handshake with a wrong verify token",
        now=timezone.now(),
    )


@csrf_exempt
def meta_events(request: HttpRequest) -> HttpResponse:
    endpoint = "meta"
    if request.method == "GET":
        return _meta_handshake(request)
    if request.method != "POST":
        return text_response(405, "method not allowed: GET (handshake) or POST (events)")
    secret = settings.OPERANT_META_APP_SECRET
    if not secret:
        return not_configured(endpoint, "OPERANT_META_APP_SECRET")
    now = timezone.now()
    header = request.META.get("HTTP_X_HUB_SIGNATURE_256", "")
    if not header:
        return request_reject(
            request=request, endpoint=endpoint, reason="unsigned (no X-Hub-Signature-256)", now=now
        )
    body = request.body
    if not meta_signature_valid(body=body, header=header, app_secret=secret):
        return request_reject(request=request, endpoint=endpoint, reason="bad signature", now=now)
    try:
        delivery = meta_parse(body)
    except MetaProblem as exc:
        return _bad_request(endpoint, str(exc), request)
    if meta_is_stale(delivery, now):
        newest = iso_or_none(delivery.newest)
        return _refuse_stale(request, endpoint, f"post (newest entry {newest})", now)
    recorded = meta_delivery_record(
        delivery=delivery, now=now, remote_addr=request.META.get("REMOTE_ADDR", "")
    )
    log.info("meta webhook: %s of %s items new", recorded, len(delivery.items))
    return text_response(200, "EVENT_RECEIVED")
