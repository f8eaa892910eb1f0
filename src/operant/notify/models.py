"""The notification outbox: every message the desk sends goes through here.

A row is written in the same transaction as the change that caused it, and the worker delivers
it later, so a crash between "decide to tell the client" and "told them" loses nothing.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Channel(models.TextChoices):
    EMAIL = "email", "Email"


class DeliveryState(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed permanently"


class Notification(models.Model):
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.EMAIL)
    # What caused it, as "<app>.<kind>" (e.g. "desk.acknowledgement"), for filtering and metrics.
    kind = models.CharField(max_length=64)
    to = models.JSONField(default=list)
    subject = models.CharField(max_length=998)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    message_id = models.CharField(max_length=255, unique=True)
    # Attachments: list of {"filename", "content_type", "path"} files under the data dir.
    attachments = models.JSONField(default=list, blank=True)
    # Rows that exist to be sent once per occasion carry a key (e.g. "sla-warning:ticket:42"):
    # two workers or a retried job can never queue the same notice twice.
    dedupe_key = models.CharField(max_length=255, null=True, blank=True, unique=True)
    state = models.CharField(
        max_length=16, choices=DeliveryState.choices, default=DeliveryState.QUEUED
    )
    attempts = models.PositiveIntegerField(default=0)
    # The next time the worker should act on this row: the next try, or a stuck send's expiry.
    due_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["due_at"],
                name="notify_due_idx",
                condition=Q(state__in=["queued", "sending"]),
            ),
            models.Index(fields=["kind", "created_at"], name="notify_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {', '.join(self.to)} ({self.state})"
