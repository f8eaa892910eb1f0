"""Which policy text was in force when the desk decided something.

Every decision (a response target, a scope verdict, an allowance charge, a suspension) keeps a
foreign key to the ``PolicyVersion`` it was taken under, so "why was I quoted for this?" is
answered with the exact words the client could read that day, even after the file changes.
"""

from __future__ import annotations

from django.db import models


class PolicyVersion(models.Model):
    # The operator's name for the version ([policy] version) and the text's hash: an edit that
    # forgets to bump the version still gets its own row, so no decision points at wrong words.
    version = models.CharField(max_length=64)
    effective = models.DateField()
    sha256 = models.CharField(max_length=64)
    text = models.TextField()
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "sha256"], name="policy_version_sha_uniq"),
        ]
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.version} (effective {self.effective:%Y-%m-%d}, {self.sha256[:8]})"
