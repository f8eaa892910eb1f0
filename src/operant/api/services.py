"""API token workflows: create (the plaintext is shown once), authenticate, revoke, list."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils import timezone

from operant.api.models import ApiToken
from operant.core.errors import UserError

if TYPE_CHECKING:
    from operant.accounts.models import User

# A recognisable scheme lets secret scanners (and people) spot a leaked Operant token.
TOKEN_SCHEME = "opr_"
PREFIX_LENGTH = len(TOKEN_SCHEME) + 8
NAME_MAX = 100
# `last_used_at` answers "is anything still using this token?": minute precision is plenty, and
# skipping the write on most requests keeps reads from taking SQLite's write lock.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenError(UserError):
    """A token action that cannot be done as asked."""


class TokenRefused(UserError):
    """The presented token does not let anyone in. The message says why, for the caller."""


def token_hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def api_token_create(*, user: User, name: str, now: datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token for ``user``. The plaintext is returned once and never stored."""
    name = name.strip()
    if not name:
        raise ApiTokenError("a token needs a name that says what it is for, e.g. 'zapier'")
    if len(name) > NAME_MAX:
        raise ApiTokenError(f"a token name is at most {NAME_MAX} characters")
    if not user.is_active:
        raise ApiTokenError(f"{user.email or user.username} is deactivated; activate them first")
    plaintext = TOKEN_SCHEME + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=plaintext[:PREFIX_LENGTH],
        key_hash=token_hash(plaintext),
        created_at=now or timezone.now(),
    )
    return token, plaintext


def api_token_authenticate(*, plaintext: str, now: datetime) -> ApiToken:
    """The live token behind ``plaintext`` (its user loaded), or ``TokenRefused``.

    1. Look the token up by the hash of what was presented (the plaintext is never stored).
    2. Refuse a revoked token, or one whose user has been deactivated.
    3. Note the use, at most once per ``LAST_USED_RESOLUTION``.
    """
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=token_hash(plaintext.strip()))
        .first()
    )
    if token is None:
        raise TokenRefused("invalid API token")
    if token.is_revoked:
        raise TokenRefused("this API token has been revoked")
    if not token.user.is_active:
        raise TokenRefused("this API token's user is deactivated")
    if token.last_used_at is None or token.last_used_at <= now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_token_revoke(*, prefix: str, now: datetime) -> ApiToken:
    """Revoke the live token whose visible prefix is ``prefix``. Revocation is permanent."""
    matches = list(ApiToken.objects.filter(prefix=prefix.strip(), revoked_at=None)[:2])
    if not matches:
        raise ApiTokenError(f"no live token with prefix {prefix.strip()!r}")
    if len(matches) > 1:
        # 48 random bits make this practically impossible; refuse rather than guess.
        raise ApiTokenError(f"more than one live token has prefix {prefix.strip()!r}")
    token = matches[0]
    token.revoked_at = now
    token.save(update_fields=["revoked_at"])
    return token


def api_tokens_of(*, user: User | None = None) -> QuerySet[ApiToken]:
    tokens = ApiToken.objects.select_related("user").order_by("created_at", "pk")
    return tokens.filter(user=user) if user is not None else tokens
