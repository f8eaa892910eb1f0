"""What a process that serves users must have before it starts."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MISSING_SECRET_KEY = (
    "OPERANT_SECRET_KEY (or OPERANT_SECRET_KEY_FILE) must hold a secret key when "
    "OPERANT_DEBUG is off; generate one with: "
    "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
)


def require_secret_key() -> None:
    """Refuse to serve without a real secret key: sessions, CSRF tokens and sign-in links
    signed with an empty or public key could be forged by anyone. (The settings leave the key
    empty when it is missing or is the public development key with debug off.)"""
    try:
        key = settings.SECRET_KEY
    except ImproperlyConfigured:  # Django's own "must not be empty"
        key = ""
    if not key:
        raise ImproperlyConfigured(MISSING_SECRET_KEY)
