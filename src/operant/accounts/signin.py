"""Emailed sign-in links for client contacts.

The link carries a signed token (``django.core.signing``, salt "operant.signin") naming the user
and a keyed hash of their state: the stored password hash (a salted hash, or a random unusable
marker for a contact without a password), their last sign-in and whether they are active. The
password hash is something no outsider knows, so even someone who had the secret key could not
make a link (as with Django's password reset tokens). Signing in changes ``last_login``, so a
link works once, and any other sign-in (password, another link) or a password change spends
every older link too: no nonce table is needed. A token older than ``LINK_AGE`` is refused.

Asking for a link (``signin_link_request``) does the same work whether or not the address has a
portal login: it stores the request (throttled per address and per network) and nothing else.
The worker (``signin_links_send_due``) looks the address up and queues the mail, so neither the
answer nor the time it takes tells which addresses are customers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from operant.accounts.models import Contact, SigninLinkRequest, User
from operant.accounts.throttle import link_request_check, throttle_rows_prune
from operant.notify.services import notification_queue

SALT = "operant.signin"
LINK_AGE = timedelta(minutes=15)
NOTIFICATION_KIND = "accounts.signin"


class SigninRefused(Exception):
    """The link cannot sign anyone in; the message is safe to show."""


@dataclass(frozen=True)
class SigninCheck:
    user: User


def _is_portal_login(user: User) -> bool:
    """An active client login with an address, linked to a contact."""
    return bool(user.email) and user.is_client_user and Contact.objects.filter(user=user).exists()


def _portal_user(email: str) -> User | None:
    """The active client login behind ``email``, if it is linked to a contact."""
    user = User.objects.get_by_email(email) if email else None
    return user if user is not None and _is_portal_login(user) else None


def _state(user: User) -> str:
    """A keyed hash of what a sign-in or a password change alters; microseconds kept, so a link
    made and used within one second is still spent."""
    login = user.last_login.isoformat() if user.last_login else ""
    value = f"{user.pk}|{user.password}|{login}|{user.is_active}"
    return salted_hmac(SALT, value, algorithm="sha256").hexdigest()


def signin_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "s": _state(user)}, salt=SALT, compress=True)


def signin_url(user: User) -> str:
    path = reverse("portal:signin_redeem", args=[signin_token(user)])
    return settings.OPERANT_BASE_URL.rstrip("/") + path


def signin_link_request(*, email: str, network: str, now: datetime) -> None:
    """Store a request for a link to ``email`` from ``network`` (see ``throttle.client_network``)
    for the worker to send; ``SigninThrottled`` if there were too many. The same two counts and
    one insert for every address, known or not: the lookup happens in the worker."""
    email = email.strip().lower()[:254]
    link_request_check(email=email, network=network, now=now)
    SigninLinkRequest.objects.create(
        email=email, network=network, requested_at=now, send_due_at=now
    )


def signin_links_send_due(*, now: datetime) -> int:
    """Worker job: 1. claim each due link request (a conditional update), 2. queue its link if
    the address has a portal login, in one transaction, 3. prune throttle rows that no longer
    count. Returns how many requests it handled."""
    handled = 0
    due = SigninLinkRequest.objects.filter(send_due_at__lte=now).order_by("send_due_at", "pk")
    for request_id, email in due.values_list("pk", "email")[:100]:
        with transaction.atomic():
            claimed = SigninLinkRequest.objects.filter(
                pk=request_id, send_due_at__isnull=False
            ).update(send_due_at=None)
            if claimed == 1:
                signin_link_send(email=email, now=now)
                handled += 1
    throttle_rows_prune(now=now)
    return handled


def signin_link_send(*, email: str, now: datetime) -> None:
    """Queue a sign-in link to ``email`` if it belongs to a portal login; otherwise do nothing."""
    user = _portal_user(email.strip())
    if user is None:
        return
    minutes = int(LINK_AGE.total_seconds() // 60)
    body = (
        "Hello,\n\n"
        "Someone (we hope you) asked for a link to sign in to the Operant client portal.\n\n"
        f"{signin_url(user)}\n\n"
        f"The link works once, within {minutes} minutes. If you did not ask for it, ignore this "
        "email: nobody can sign in without opening it.\n"
    )
    notification_queue(
        kind=NOTIFICATION_KIND,
        to=[user.email],
        subject="Your sign-in link for the Operant portal",
        body_text=body,
        now=now,
        # At most one link a minute per login: the form cannot be used to flood an inbox.
        dedupe_key=f"{NOTIFICATION_KIND}:{user.pk}:{now:%Y%m%d%H%M}",
    )


def signin_link_check(*, token: str) -> SigninCheck:
    """1. Verify the signature and age. 2. Find the user, still an active portal login.
    3. Refuse if they signed in since the link was made (it was used, or superseded)."""
    try:
        data = signing.loads(token, salt=SALT, max_age=LINK_AGE)
    except signing.SignatureExpired:
        raise SigninRefused("This sign-in link has expired. Ask for a new one.") from None
    except signing.BadSignature:
        raise SigninRefused("This sign-in link is not valid. Ask for a new one.") from None
    invalid = SigninRefused("This sign-in link is not valid. Ask for a new one.")
    if not isinstance(data, dict):
        raise invalid
    user_id, state = data.get("u"), data.get("s")
    if not isinstance(user_id, int) or not isinstance(state, str):
        raise invalid
    user = User.objects.filter(pk=user_id).first()
    # Addresses are unique (without case), so this is the login the link was made for.
    if user is None or not _is_portal_login(user):
        raise invalid
    if not constant_time_compare(_state(user), state):
        raise SigninRefused("This sign-in link has already been used. Ask for a new one.")
    return SigninCheck(user=user)


def signin_link_redeem(*, token: str, now: datetime) -> User:
    """Check the link and spend it: a conditional update on ``last_login`` (architecture 4.3)
    means of two simultaneous clicks exactly one signs in."""
    user = signin_link_check(token=token).user
    spent = User.objects.filter(pk=user.pk, last_login=user.last_login).update(last_login=now)
    if spent != 1:
        raise SigninRefused("This sign-in link has already been used. Ask for a new one.")
    user.last_login = now
    return user
