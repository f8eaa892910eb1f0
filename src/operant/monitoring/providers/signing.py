"""Who may post provider signals: Twilio's and Meta's signatures, and the refusals.

A refused request answers 403, is logged and leaves a ``RejectedRequest`` row (counted on the
board); nothing else is stored. Without the secret a check needs, the endpoint answers 503, as
the Mailgun webhook does: the provider keeps the event and retries, and nothing unsigned is
ever taken.

Twilio signs with the auth token of the account the event belongs to (``AccountSid``, or the
parent account for a subaccount whose own token we do not hold): a client's token is stored
encrypted (``credentials``); Operant's own account, when configured
(OPERANT_TWILIO_ACCOUNT_SID / OPERANT_TWILIO_AUTH_TOKEN), is checked with its token and may
report for any client's workflow. The check itself is the official library's
``RequestValidator``, over the URL Twilio was given: the address this request reached, or
the same path under OPERANT_BASE_URL (behind a proxy that rewrites the scheme or host).

Meta has no official server library for its signature: it is the documented algorithm,
"sha256=" + the hex HMAC-SHA256 of the raw body under the app secret, compared in constant
time.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from twilio.request_validator import RequestValidator, get_signature_algorithm

from operant.core.rows import instance_get
from operant.monitoring.credentials import secret_decrypt
from operant.monitoring.errors import MonitoringError
from operant.monitoring.models import RejectedRequest, TwilioAccount

log = logging.getLogger(__name__)

META_SIGNATURE_PREFIX = "sha256="


def text_response(status: int, text: str) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


def request_reject(
    *, request: HttpRequest, endpoint: str, reason: str, now: datetime
) -> HttpResponse:
    """Refuse a provider request: 403, a log line, a row for the board."""
    remote = request.META.get("REMOTE_ADDR", "")[:64]
    log.warning("%s webhook refused (%s) from %s", endpoint, reason, remote or "?")
    RejectedRequest.objects.create(
        at=now, endpoint=endpoint, reason=reason[:255], remote_addr=remote
    )
    return text_response(403, "forbidden")


def not_configured(endpoint: str, setting: str) -> HttpResponse:
    log.error("%s webhook called but %s is unset", endpoint, setting)
    return text_response(503, "not configured")


@dataclass(frozen=True)
class TwilioSigner:
    """The account whose token signed a request; ``client_id`` None for Operant's own."""

    account_sid: str
    client_id: int | None
    auth_token: str


def _operant_account(account_sid: str) -> TwilioSigner | None:
    own_sid = getattr(settings, "OPERANT_TWILIO_ACCOUNT_SID", "")
    own_token = getattr(settings, "OPERANT_TWILIO_AUTH_TOKEN", "")
    if own_sid and own_token and own_sid == account_sid:  # a sid is not a secret
        return TwilioSigner(account_sid=account_sid, client_id=None, auth_token=own_token)
    return None


def twilio_signer(account_sid: str) -> TwilioSigner | None:
    """The account ``account_sid`` names, with its token; None when we hold no token for it."""
    if not account_sid:
        return None
    own = _operant_account(account_sid)
    if own is not None:
        return own
    # Every signed callback asks: a statement built once (instance_get), not the ORM's.
    account = instance_get(
        TwilioAccount, ("client", "auth_token_encrypted"), by="account_sid", value=account_sid
    )
    if account is None:
        return None
    keys = (settings.OPERANT_CREDENTIALS_KEY, settings.SECRET_KEY)
    return TwilioSigner(
        account_sid=account_sid,
        client_id=account.client_id,
        auth_token=_decrypted(account.auth_token_encrypted, keys),
    )


@lru_cache(maxsize=256)
def _decrypted(ciphertext: str, keys: tuple[str, str]) -> str:
    """Each stored token decrypted once per process (Fernet costs more than the query): the
    cache is keyed by the ciphertext itself and the keys, so a replaced token or key is read
    afresh, never served stale."""
    return secret_decrypt(ciphertext)


def twilio_configured() -> bool:
    """Whether any Twilio token is held at all (else the endpoints answer 503)."""
    own = getattr(settings, "OPERANT_TWILIO_ACCOUNT_SID", "") and getattr(
        settings, "OPERANT_TWILIO_AUTH_TOKEN", ""
    )
    return bool(own) or TwilioAccount.objects.exists()


def _urls_signed(request: HttpRequest) -> list[str]:
    here = request.build_absolute_uri()
    public = settings.OPERANT_BASE_URL.rstrip("/") + request.get_full_path()
    return [here] if public == here else [here, public]


def twilio_signature_valid(request: HttpRequest, signer: TwilioSigner) -> bool:
    signature = request.META.get("HTTP_X_TWILIO_SIGNATURE", "")
    if not signature:
        return False
    algorithm = get_signature_algorithm(
        request.META.get("HTTP_X_TWILIO_WEBHOOKS_SIGNATURE_SETTINGS", "")
    )
    validator = RequestValidator(signer.auth_token)
    return any(
        validator.validate(url, request.POST, signature, algorithm) for url in _urls_signed(request)
    )


def twilio_request_check(
    *, request: HttpRequest, endpoint: str, now: datetime
) -> TwilioSigner | HttpResponse:
    """The account that signed the request, or the response refusing it.

    1. Unsigned: refused. 2. An account whose token we hold (its own, else its parent's):
    the signature must verify with it. 3. No such account: refused, or 503 while no Twilio
    token is configured at all (so Twilio retries once it is)."""

    def refuse(reason: str) -> HttpResponse:
        return request_reject(request=request, endpoint=endpoint, reason=reason, now=now)

    if not request.META.get("HTTP_X_TWILIO_SIGNATURE"):
        return refuse("unsigned (no X-Twilio-Signature)")
    account_sid = request.POST.get("AccountSid", "")
    try:
        signer = twilio_signer(account_sid) or twilio_signer(
            request.POST.get("ParentAccountSid", "")
        )
    except MonitoringError as exc:  # a stored token no longer decrypts: say so, Twilio retries
        log.error("%s webhook cannot check Twilio account %s: %s", endpoint, account_sid, exc)
        return text_response(503, "not configured")
    if signer is None:
        if not twilio_configured():
            return not_configured(endpoint, "every Twilio account token")
        return refuse(f"unknown Twilio account {account_sid[:40]!r}")
    if not twilio_signature_valid(request, signer):
        return refuse(f"bad signature for Twilio account {account_sid[:40]}")
    return signer


def meta_signature_valid(*, body: bytes, header: str, app_secret: str) -> bool:
    """Meta's X-Hub-Signature-256: "sha256=" + hex HMAC-SHA256(app secret, raw body)."""
    if not header.startswith(META_SIGNATURE_PREFIX):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header[len(META_SIGNATURE_PREFIX) :].strip().lower())
