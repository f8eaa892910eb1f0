"""Signed accept/decline links: the link itself is the client's credential, so it must be
unforgeable, single use, tied to one revision of one quote, and expire with the offer.

A token is ``django.core.signing.dumps`` (a ``TimestampSigner`` under ``SECRET_KEY``, salted
"operant.quote") of ``{"q": quote id, "c": client id, "a": action, "n": link nonce}``.

- Forged or cut short: the signature fails (400).
- For another client: the signed client is not the quote's, or a signed-in contact of another
  client opens it (403).
- Used: the quote is decided, and a decided quote refuses every link (410).
- Replaced: every send draws a new nonce, so links of an earlier revision stop working (410).
- Expired: ``max_age`` runs until ``valid_until``, and the quote's state is checked too (410).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse

from operant.quotes.errors import LinkRefused
from operant.quotes.events import when
from operant.quotes.models import Quote, QuoteState

SALT = "operant.quote"
ACCEPT = "accept"
DECLINE = "decline"
ACTIONS = (ACCEPT, DECLINE)

FORGED = (
    "This link is not valid: it was changed or cut short. Open the link exactly as it "
    "appears in the email, or reply to the email instead."
)


def quote_link_token(quote: Quote, action: str) -> str:
    if action not in ACTIONS:
        raise ValueError(f"unknown link action {action!r}")
    payload = {"q": quote.pk, "c": quote.client_id, "a": action, "n": quote.link_nonce}
    return signing.dumps(payload, salt=SALT)


def quote_link_url(quote: Quote, action: str) -> str:
    """The absolute URL for the email (the server's own host is unknown to the worker)."""
    path = reverse("quotes:respond", args=[quote_link_token(quote, action)])
    return settings.OPERANT_BASE_URL.rstrip("/") + path


@dataclass(frozen=True)
class LinkCheck:
    quote: Quote
    action: str
    nonce: str


def _payload(token: str) -> dict[str, Any]:
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise LinkRefused(FORGED, status=400) from None
    well_formed = (
        isinstance(payload, dict)
        and isinstance(payload.get("q"), int)
        and isinstance(payload.get("c"), int)
        and payload.get("a") in ACTIONS
        and isinstance(payload.get("n"), str)
    )
    if not well_formed:
        raise LinkRefused(FORGED, status=400)
    return payload


def quote_link_check(
    *, token: str, now: datetime, viewer_client_id: int | None = None
) -> LinkCheck:
    """The quote and action a link may act on now, or ``LinkRefused`` saying why not.

    1. Check the signature (any age) and the payload's shape.
    2. Find the quote; the signed client must be its client, and so must a signed-in viewer's.
    3. A decided quote refuses (the link was used); a changed nonce refuses (replaced).
    4. Past ``valid_until`` refuses, by the quote's clock and by the signature's age.
    """
    payload = _payload(token)
    quote = Quote.objects.select_related("client", "ticket").filter(pk=payload["q"]).first()
    if quote is None:
        raise LinkRefused("This quote no longer exists.", status=410)
    if payload["c"] != quote.client_id or (
        viewer_client_id is not None and viewer_client_id != quote.client_id
    ):
        raise LinkRefused(
            "This quote is for another client: it cannot be answered from this link or account.",
            status=403,
        )
    if quote.state in (QuoteState.ACCEPTED, QuoteState.DECLINED):
        raise LinkRefused(
            f"Quote {quote.ref} was already {quote.state} on {when(quote, quote.decided_at)}. "
            "Nothing was changed.",
            status=410,
        )
    if quote.state == QuoteState.DRAFT or payload["n"] != quote.link_nonce:
        raise LinkRefused(
            f"This link was replaced: quote {quote.ref} has been revised. Use the links in the "
            "latest email about it.",
            status=410,
        )
    expired = LinkRefused(
        f"Quote {quote.ref} expired on {when(quote, quote.valid_until)}. Reply to the email "
        "and we will send a new one.",
        status=410,
    )
    if (
        quote.state == QuoteState.EXPIRED
        or quote.valid_until is None
        or quote.sent_at is None
        or now >= quote.valid_until
    ):
        raise expired
    try:
        signing.loads(token, salt=SALT, max_age=quote.valid_until - quote.sent_at)
    except signing.SignatureExpired:
        raise expired from None
    return LinkCheck(quote=quote, action=payload["a"], nonce=payload["n"])
