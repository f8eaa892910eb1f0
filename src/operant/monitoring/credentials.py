"""Clients' Twilio credentials, stored encrypted (Fernet: AES with an authentication tag, so
a token altered in the database fails to decrypt instead of yielding garbage).

The key is OPERANT_CREDENTIALS_KEY when set (a Fernet key: keep it apart from the database
backups); otherwise one derived from the secret key, so a desk with no extra setting still
never stores a token in the clear. Changing the secret key then makes stored tokens unreadable:
``twilio_auth_token`` says so rather than failing silently.
"""

from __future__ import annotations

import base64
from datetime import datetime
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import IntegrityError, transaction

from operant.monitoring.errors import MonitoringError
from operant.monitoring.models import TwilioAccount
from operant.monitoring.registry import SID

ACCOUNT_SID_PREFIX = "AC"


@lru_cache(maxsize=4)
def _fernet(explicit_key: str, secret_key: str) -> Fernet:
    if explicit_key:
        return Fernet(explicit_key.encode())
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"operant credentials"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def _cipher() -> Fernet:
    return _fernet(settings.OPERANT_CREDENTIALS_KEY, settings.SECRET_KEY)


def secret_encrypt(value: str) -> str:
    return _cipher().encrypt(value.encode()).decode()


def secret_decrypt(token: str) -> str:
    try:
        return _cipher().decrypt(token.encode()).decode()
    except InvalidToken:
        raise MonitoringError(
            "a stored credential cannot be decrypted: the credentials key (or the secret key "
            "it is derived from) changed; enter the credential again"
        ) from None


def twilio_account_set(
    *, client_id: int, account_sid: str, auth_token: str, now: datetime
) -> TwilioAccount:
    """Store (or replace) a client's Twilio account credentials."""
    account_sid = account_sid.strip()
    auth_token = auth_token.strip()
    if not (account_sid.startswith(ACCOUNT_SID_PREFIX) and SID.match(account_sid)):
        raise MonitoringError(f"{account_sid!r} is not a Twilio account sid (AC + 32 hex digits)")
    if not 16 <= len(auth_token) <= 128:
        raise MonitoringError("the Twilio auth token looks wrong (expected 32 characters)")
    encrypted = secret_encrypt(auth_token)
    try:
        with transaction.atomic():
            account, created = TwilioAccount.objects.get_or_create(
                account_sid=account_sid,
                defaults={
                    "client_id": client_id,
                    "auth_token_encrypted": encrypted,
                    "created_at": now,
                },
            )
    except IntegrityError:  # pragma: no cover - a concurrent insert of the same sid
        account, created = TwilioAccount.objects.get(account_sid=account_sid), False
    if not created:
        if account.client_id != client_id:
            raise MonitoringError(f"Twilio account {account_sid} belongs to another client")
        TwilioAccount.objects.filter(pk=account.pk).update(auth_token_encrypted=encrypted)
    return account


def twilio_auth_token(account_sid: str) -> str | None:
    """The auth token of a known account (None when the account is not known)."""
    encrypted = (
        TwilioAccount.objects.filter(account_sid=account_sid)
        .values_list("auth_token_encrypted", flat=True)
        .first()
    )
    return secret_decrypt(encrypted) if encrypted is not None else None
