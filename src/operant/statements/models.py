"""Monthly statements: a client's month, its figures frozen when the statement was generated.

A statement never changes after it is built: the figures are a JSON snapshot, so the page, the
PDF and the CSV always agree with what was emailed, even if a ticket is reclassified later.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Statement(models.Model):
    client = models.ForeignKey(
        "accounts.Client", on_delete=models.PROTECT, related_name="statements"
    )
    month = models.DateField()  # first day of the month, on the client's calendar
    figures = models.JSONField(default=dict)
    generated_at = models.DateTimeField()
    # Paths relative to settings.DATA_DIR, so the data directory can move.
    pdf_path = models.CharField(max_length=500, blank=True)
    csv_path = models.CharField(max_length=500, blank=True)
    emailed = models.ForeignKey(
        "notify.Notification",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-month", "client_id"]
        constraints = [
            models.UniqueConstraint(fields=["client", "month"], name="statements_one_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.month:%Y-%m}"

    @property
    def month_key(self) -> str:
        """``YYYY-MM``, as URLs and the CLI name a month."""
        return f"{self.month:%Y-%m}"


class StatementCursor(models.Model):
    """Per client, the next month to state and the instant it may be built (its end on the
    client's calendar). The worker asks the partial index which cursors are due, never scans
    clients or entries (architecture guide 4.1)."""

    client = models.OneToOneField(
        "accounts.Client", on_delete=models.CASCADE, related_name="statement_cursor"
    )
    next_month = models.DateField()
    due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["due_at"], name="statements_due_idx", condition=Q(due_at__isnull=False)
            )
        ]

    def __str__(self) -> str:
        return f"{self.client_id} next {self.next_month:%Y-%m}"
