"""Planned maintenance (clause 04: reasonable advance notice).

A ``Window`` is what an agent schedules: one occurrence, or a recurring one (an iCalendar RRULE
expanded on the wall clock of ``timezone``, each occurrence lasting ``duration_seconds``). Its
``Occurrence`` rows are materialized ahead of time, up to a rolling horizon, so every deadline
that follows from one is a stored, indexed due time (architecture 4.1): the notice, the reminder
and the look at the workflows once it is over. ``Notice`` is the one row per occurrence, client
and kind that makes each notice go out once, whatever the number of workers.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q


class Scope(models.TextChoices):
    EVERYTHING = "everything", "Everything"
    INTEGRATIONS = "integrations", "Some integrations"
    CLIENTS = "clients", "Some clients"
    WORKFLOWS = "workflows", "Some workflows"


class Window(models.Model):
    title = models.CharField(max_length=200)
    scope = models.CharField(max_length=16, choices=Scope.choices)
    integrations = models.ManyToManyField(
        "accounts.Integration", blank=True, related_name="maintenance_windows"
    )
    clients = models.ManyToManyField(
        "accounts.Client", blank=True, related_name="maintenance_windows"
    )
    workflows = models.ManyToManyField(
        "monitoring.Workflow", blank=True, related_name="maintenance_windows"
    )
    # The first occurrence (the RRULE's DTSTART) and how long each lasts (an exact duration, as
    # RFC 5545 reads "PT4H": four elapsed hours even across a DST change).
    first_start = models.DateTimeField()
    duration_seconds = models.PositiveIntegerField()
    rrule = models.CharField(max_length=500, blank=True)
    timezone = models.CharField(max_length=64, default="UTC")
    # Scheduled later than the policy's notice lead allows: an agent said why, and the client
    # reads it in the notice.
    short_notice = models.BooleanField(default=False)
    short_notice_reason = models.TextField(blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A vendor's maintenance this window stands for ("vendor:<vendor>:<feed>:<id>", see
    # vendor_windows.py); null for an agent's window.
    external_key = models.CharField(max_length=255, null=True, blank=True, unique=True)
    # Occurrences starting before this are materialized; the worker extends it when
    # ``expand_due_at`` comes (null: the rule has no occurrence left to materialize).
    expanded_until = models.DateTimeField(null=True, blank=True)
    expand_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["expand_due_at"],
                name="maintenance_expand_due_idx",
                condition=Q(expand_due_at__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def duration(self) -> timedelta:
        return timedelta(seconds=self.duration_seconds)


class Occurrence(models.Model):
    window = models.ForeignKey(Window, on_delete=models.CASCADE, related_name="occurrences")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # Null once done (or when there is nothing to do: no reminder after a late notice).
    notice_due_at = models.DateTimeField(null=True, blank=True)
    reminder_due_at = models.DateTimeField(null=True, blank=True)
    after_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["window", "starts_at"], name="maintenance_unique_occurrence"
            )
        ]
        indexes = [
            models.Index(fields=["ends_at", "starts_at"], name="maintenance_occurrence_idx"),
            models.Index(
                fields=["notice_due_at"],
                name="maintenance_notice_due_idx",
                condition=Q(notice_due_at__isnull=False),
            ),
            models.Index(
                fields=["reminder_due_at"],
                name="maintenance_reminder_due_idx",
                condition=Q(reminder_due_at__isnull=False),
            ),
            models.Index(
                fields=["after_due_at"],
                name="maintenance_after_due_idx",
                condition=Q(after_due_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.window_id} at {self.starts_at.isoformat()}"

    def is_on(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at


class NoticeKind(models.TextChoices):
    NOTICE = "notice", "Advance notice"
    REMINDER = "reminder", "Reminder"


class Notice(models.Model):
    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="notices")
    client = models.ForeignKey("accounts.Client", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=NoticeKind.choices)
    notification = models.ForeignKey(
        "notify.Notification", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["occurrence", "client", "kind"], name="maintenance_unique_notice"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.occurrence_id} to {self.client_id}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A client's iCalendar feed of its upcoming windows: whoever holds the token reads it, so
    it is random (256 bits) and per client."""

    client = models.OneToOneField(
        "accounts.Client", on_delete=models.CASCADE, related_name="maintenance_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"feed of {self.client_id}"
