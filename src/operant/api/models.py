"""API tokens: a machine's (or a person's script's) key to the HTTP API.

Only the SHA-256 of a token is stored, so a leaked database does not leak working keys; the
short visible ``prefix`` lets people tell their tokens apart in listings without the secret.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    # What the token is for ("zapier", "reporting script"), so its owner knows what breaks
    # when it is revoked.
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16)
    # Hex SHA-256 of the whole plaintext. A token carries 256 random bits, so a fast hash is
    # enough (no salt or key stretching needed), and lookups by hash are exact index hits.
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["prefix"], name="api_token_prefix_idx")]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
