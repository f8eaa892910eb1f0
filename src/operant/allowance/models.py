"""Time entries and the monthly minor-adjustment allowance (clause 01).

Usage is never a counter someone updates: it is the sum of the month's live adjustment entries.
``AllowanceMonth`` exists for what a sum cannot do: a row to lock while charging (so two agents
cannot overdraw together), the once-per-month notices, and the figures frozen when a month closes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class EntryKind(models.TextChoices):
    ADJUSTMENT = "adjustment", "Minor adjustment (allowance)"
    QUOTED = "quoted", "Out-of-scope work under a quote"
    UNCHARGED = "uncharged", "Support, not charged"


class TimeEntry(models.Model):
    ticket = models.ForeignKey("desk.Ticket", on_delete=models.PROTECT, related_name="time_entries")
    # Copied from the ticket so a month's usage is one indexed query per client.
    client = models.ForeignKey(
        "accounts.Client", on_delete=models.PROTECT, related_name="time_entries"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="time_entries"
    )
    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    minutes = models.PositiveIntegerField()
    # The day the work was done, on the client's calendar; ``month`` is its first day.
    work_date = models.DateField()
    month = models.DateField()
    note = models.TextField(blank=True)
    quote = models.ForeignKey(
        "quotes.Quote", null=True, blank=True, on_delete=models.PROTECT, related_name="time_entries"
    )
    policy_version = models.ForeignKey(
        "policy.PolicyVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # Entries are never deleted: a removed entry keeps its history and stops counting.
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["client", "month", "kind"],
                name="allowance_usage_idx",
                condition=Q(deleted_at__isnull=True),
            ),
            models.Index(fields=["ticket"], name="allowance_ticket_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.minutes} min {self.kind} on {self.work_date}"


class TimeEntryRevision(models.Model):
    """Every edit of an entry: who changed what, from what, when."""

    entry = models.ForeignKey(TimeEntry, on_delete=models.CASCADE, related_name="revisions")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=16)  # created, edited, deleted
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.action} at {self.at:%Y-%m-%d %H:%M}"


class AllowanceMonth(models.Model):
    """One client's month of the ledger.

    While the month is open its allowance is the policy's (and the carry-over, when the policy
    allows one): ``allowance_minutes`` and ``carried_minutes`` are written as the month closes,
    together with ``final_used_minutes``, and from then on they are the month's figures.
    """

    client = models.ForeignKey(
        "accounts.Client", on_delete=models.PROTECT, related_name="allowance_months"
    )
    month = models.DateField()  # first day of the month, client's calendar
    # The whole allowance of the month, carry-over included.
    allowance_minutes = models.PositiveIntegerField()
    # The part of ``allowance_minutes`` carried over from the month before (policy carry_over).
    carried_minutes = models.PositiveIntegerField(default=0)
    # The once-per-month notices. The "80" slot holds the policy's highest threshold below
    # 100 %, whatever its number; the "100" slot the allowance used up.
    notified_80_at = models.DateTimeField(null=True, blank=True)
    notified_100_at = models.DateTimeField(null=True, blank=True)
    # When the worker must close the month (its last instant on the client's calendar); null
    # once closed. Indexed so the worker asks "what is due?" instead of scanning the ledger.
    close_due_at = models.DateTimeField(null=True, blank=True)
    # Set when the month closes: its final figures, as printed on the statement.
    closed_at = models.DateTimeField(null=True, blank=True)
    final_used_minutes = models.PositiveIntegerField(null=True, blank=True)
    policy_version = models.ForeignKey(
        "policy.PolicyVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "month"], name="allowance_month_unique")
        ]
        indexes = [
            models.Index(
                fields=["close_due_at"],
                name="allowance_close_due_idx",
                condition=Q(close_due_at__isnull=False),
            ),
            # "Which clients have no open month?": the worker's check for ledgers to start.
            models.Index(
                fields=["client"],
                name="allowance_open_month_idx",
                condition=Q(closed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.month:%Y-%m}"
