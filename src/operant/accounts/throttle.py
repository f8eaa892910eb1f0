"""Throttling sign-ins, so passwords and inboxes cannot be hammered.

Password sign-ins go through ``ThrottledModelBackend`` (the only authentication backend), so the
login page, the admin's login and ``authenticate()`` anywhere are all covered:

1. Before a password is even checked, refuse if the account tried, or the client's network, has
   had too many failures within ``WINDOW``. A refused try is not counted (the table stays small)
   and its password is never checked, so guessing on stops telling right from wrong.
2. A wrong password (or an unknown address) stores one ``SigninFailure`` row.
3. A successful sign-in clears the account's failures.

Counts live in the database, not a per-process cache, so every web process sees the same ones
(docs/decisions.md). The worker prunes rows once they no longer count.
"""

from __future__ import annotations

import ipaddress
import math
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from operant.accounts.models import SigninFailure, SigninLinkRequest, User

WINDOW = timedelta(minutes=15)
ACCOUNT_FAILURES = 10
# One office or mobile carrier may put many people behind one address: be more lenient there.
NETWORK_FAILURES = 50
LINK_REQUESTS_PER_ADDRESS = 5
LINK_REQUESTS_PER_NETWORK = 20
BACKEND = "operant.accounts.throttle.ThrottledModelBackend"
# authenticate() swallows the backend's PermissionDenied; the login form reads the reason here.
REFUSAL_ATTRIBUTE = "operant_signin_refusal"


class SigninThrottled(PermissionDenied):
    """Too many tries; the message is safe to show and says when to try again."""


def client_network(request: HttpRequest) -> str:
    """The client as a throttling key: its IPv4 address, or the /64 its IPv6 address is in (one
    subscriber usually holds a whole /64). Behind ``OPERANT_TRUSTED_PROXIES`` reverse proxies,
    the address the outermost of them saw, from X-Forwarded-For."""
    address = request.META.get("REMOTE_ADDR") or ""
    proxies = settings.OPERANT_TRUSTED_PROXIES
    if proxies:
        # Each proxy appends the address it saw; the ones before ours could be made up.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        hops = [hop.strip() for hop in forwarded if hop.strip()]
        if len(hops) >= proxies:
            address = hops[-proxies]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _check(
    model: type[models.Model],
    *,
    at: str,
    limits: list[tuple[dict[str, str], int]],
    what: str,
    now: datetime,
) -> None:
    """Raise ``SigninThrottled`` if, for any (condition, limit) pair, ``limit`` rows matching the
    condition fall within the window; it lifts when the oldest of them leaves it."""
    recent = model._default_manager.filter(**{f"{at}__gt": now - WINDOW}).order_by(at)
    for condition, limit in limits:
        counted = list(recent.filter(**condition).values_list(at, flat=True)[:limit])
        if len(counted) < limit:
            continue
        minutes = max(1, math.ceil((counted[0] + WINDOW - now).total_seconds() / 60))
        unit = "minute" if minutes == 1 else "minutes"
        raise SigninThrottled(f"Too many {what}. Try again in {minutes} {unit}.")


def password_signin_check(*, account: str, network: str, now: datetime) -> None:
    """Raise ``SigninThrottled`` if the account or the network has failed too often."""
    _check(
        SigninFailure,
        at="at",
        limits=[({"account": account}, ACCOUNT_FAILURES), ({"network": network}, NETWORK_FAILURES)],
        what="failed sign-ins for this account or from your network",
        now=now,
    )


def link_request_check(*, email: str, network: str, now: datetime) -> None:
    """Raise ``SigninThrottled`` if links were asked for this address or from this network too
    often. Counted whether or not the address has a login, so the answer tells nothing."""
    _check(
        SigninLinkRequest,
        at="requested_at",
        limits=[
            ({"email": email}, LINK_REQUESTS_PER_ADDRESS),
            ({"network": network}, LINK_REQUESTS_PER_NETWORK),
        ],
        what="sign-in link requests",
        now=now,
    )


def throttle_rows_prune(*, now: datetime) -> int:
    """Delete the rows that no longer count (a link request only once the worker handled it)."""
    cutoff = now - WINDOW
    deleted = 0
    failures = SigninFailure.objects.filter(at__lte=cutoff)
    links = SigninLinkRequest.objects.filter(requested_at__lte=cutoff, send_due_at=None)
    # Checked first: a read takes no write lock on SQLite, and there is usually nothing to do.
    for rows in (failures, links):
        if rows.exists():
            deleted += rows.delete()[0]
    return deleted


class ThrottledModelBackend(ModelBackend):
    """Django's model backend behind the throttle (steps 1 to 3 of the module docstring)."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        account = str(username).strip().lower()[:254]
        network = client_network(request) if request is not None else "unknown"
        now = timezone.now()
        try:
            password_signin_check(account=account, network=network, now=now)
        except SigninThrottled as exc:
            if request is not None:
                setattr(request, REFUSAL_ATTRIBUTE, exc)
            raise
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            SigninFailure.objects.create(account=account, network=network, at=now)
        else:
            SigninFailure.objects.filter(account=account).delete()
        return user
