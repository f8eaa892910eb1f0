"""Inbound mail as it arrived: raw bytes first, everything else derived from them.

Storing the raw message before parsing means a message our parser chokes on is never lost:
it stays here, flagged, for an agent to read and for a later parser to retry.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class InboundChannel(models.TextChoices):
    IMAP = "imap", "IMAP mailbox"
    SMTP = "smtp", "Inbound SMTP"
    WEBHOOK = "webhook", "Provider webhook"
    FILE = "file", "Command line"
    PORTAL = "portal", "Client portal"


class InboundState(models.TextChoices):
    PENDING = "pending", "Waiting to be processed"
    PROCESSING = "processing", "Being processed"
    PROCESSED = "processed", "Landed in a ticket"
    IGNORED = "ignored", "Not a request (auto-reply, loop, duplicate)"
    FAILED = "failed", "Could not be processed"


class InboundMessage(models.Model):
    # The content identity (``operant.mail.identity``): the same message arriving twice, by
    # two channels, or again after a crash, maps to this one row; a different mail that
    # reuses its Message-ID does not.
    dedupe_key = models.CharField(max_length=255, unique=True)
    # The Message-ID replies name it by (threading), or one made from the content identity
    # when it has none. Not unique: senders reuse them.
    message_id = models.CharField(max_length=255, db_index=True, blank=True)
    raw = models.BinaryField()
    size = models.PositiveIntegerField()
    channel = models.CharField(max_length=16, choices=InboundChannel.choices)
    received_at = models.DateTimeField()
    state = models.CharField(
        max_length=16, choices=InboundState.choices, default=InboundState.PENDING
    )
    # When the worker should (re)try processing; null once the row is settled.
    process_due_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    flagged = models.BooleanField(default=False)
    problems = models.JSONField(default=list, blank=True)
    outcome = models.CharField(max_length=255, blank=True)
    ticket = models.ForeignKey(
        "desk.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_address = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=998, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["process_due_at"],
                name="mail_process_due_idx",
                condition=Q(process_due_at__isnull=False),
            ),
            models.Index(fields=["flagged", "received_at"], name="mail_flagged_idx"),
        ]

    def __str__(self) -> str:
        return f"inbound #{self.pk} <{self.message_id}> ({self.state})"


class SeenWebhookToken(models.Model):
    """A provider webhook's signature token, accepted once. Mailgun signs a timestamp and a
    token, not the message, so a captured signature could otherwise carry another message
    for as long as its timestamp is fresh; kept until then (``signed_at`` + the freshness
    window), then pruned."""

    provider = models.CharField(max_length=20)
    token = models.CharField(max_length=200)
    signed_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "token"], name="seenwebhooktoken_unique")
        ]

    def __str__(self) -> str:
        return f"{self.provider} token {self.token[:12]}… signed {self.signed_at:%Y-%m-%d %H:%M}"
