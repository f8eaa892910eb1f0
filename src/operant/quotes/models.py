"""Quotes for out-of-scope work (clause 02): built by an agent, accepted or declined by the
client through a signed single-use link, or expired by the worker."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class QuoteState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired"


class Quote(models.Model):
    client = models.ForeignKey("accounts.Client", on_delete=models.PROTECT, related_name="quotes")
    ticket = models.ForeignKey(
        "desk.Ticket", null=True, blank=True, on_delete=models.PROTECT, related_name="quotes"
    )
    title = models.CharField(max_length=200)
    # The clause 02 category that puts the work out of scope (or "allowance_overdraft").
    scope_category = models.CharField(max_length=64)
    clause = models.CharField(max_length=8, default="02")
    currency = models.CharField(max_length=3)
    state = models.CharField(max_length=16, choices=QuoteState.choices, default=QuoteState.DRAFT)
    validity_days = models.PositiveIntegerField()
    sent_at = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_via = models.CharField(max_length=16, blank=True)  # link, reply, agent
    # A reply saying yes waits here for an agent to confirm it.
    reply_acceptance_at = models.DateTimeField(null=True, blank=True)
    # When the worker must expire it; set while sent.
    expires_due_at = models.DateTimeField(null=True, blank=True)
    # Bumped on every send: links signed for an older nonce stop working.
    link_nonce = models.CharField(max_length=32, blank=True)
    policy_version = models.ForeignKey(
        "policy.PolicyVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["expires_due_at"],
                name="quotes_expiry_idx",
                condition=Q(expires_due_at__isnull=False),
            ),
            models.Index(fields=["client", "state"], name="quotes_client_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def ref(self) -> str:
        return f"Q-{self.pk}"


class LineKind(models.TextChoices):
    HOURS = "hours", "Hours at a rate"
    FIXED = "fixed", "Fixed price"


class QuoteLine(models.Model):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=8, choices=LineKind.choices)
    description = models.CharField(max_length=500)
    hours = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    rate = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.description


class QuoteEvent(models.Model):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=32)
    data = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"
