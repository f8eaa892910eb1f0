"""The notification outbox: every message the desk sends goes through here.

A row is written in the same transaction as the change that caused it, and the worker delivers
it later, so a crash between "decide to tell the client" and "told them" loses nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Channel(models.TextChoices):
    """How a row is delivered: each value has a transport in ``operant.notify.transports``. The
    row's ``to`` holds email addresses, E.164 phone numbers or webhook URLs accordingly."""

    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    CHAT_WEBHOOK = "chat_webhook", "Chat webhook"


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


class AlertChannels(models.Model):
    """Where one staff member wants alerts (a workflow down, a drift found): email, SMS, chat.

    A person without a row, or with every channel off, gets email (``person_alert_queue``):
    an alert must reach someone. The values are checked by ``alert_channels_set``.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_channels"
    )
    email = models.BooleanField(default=True)
    sms = models.BooleanField(default=False)
    # E.164 ("+14155550123"), the form Twilio takes.
    phone = models.CharField(max_length=16, blank=True)
    chat = models.BooleanField(default=False)
    chat_webhook_url = models.URLField(max_length=500, blank=True)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"alert channels of user {self.user_id}: {', '.join(self.chosen())}"

    def chosen(self) -> list[str]:
        """The channels turned on, email first; email when none is."""
        channels = [
            channel
            for channel, on in (
                (Channel.EMAIL, self.email),
                (Channel.SMS, self.sms and bool(self.phone)),
                (Channel.CHAT_WEBHOOK, self.chat and bool(self.chat_webhook_url)),
            )
            if on
        ]
        return channels or [Channel.EMAIL]
