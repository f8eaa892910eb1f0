"""The workflow registry and its live health (clause 01: hosting and monitoring).

A workflow's next deadline is stored in ``due_at`` (partial index), as healthchecks.io stores
``alert_after``: the worker only asks "which workflows need a look now?" (architecture 4.1).
Every state change is a ``Flip`` row; what follows a flip (tickets, alerts, notices) is driven
from the unprocessed flips, so a crash between "went down" and "told someone" loses nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q


class Platform(models.TextChoices):
    TWILIO_STUDIO = "twilio_studio", "Twilio Studio"
    TWILIO_FUNCTIONS = "twilio_functions", "Twilio Functions"
    INSTAGRAM = "instagram", "Instagram"
    N8N = "n8n", "n8n"
    CUSTOM = "custom", "Custom"


class WorkflowState(models.TextChoices):
    NEW = "new", "New"
    UP = "up", "Up"
    LATE = "late", "Late"
    DOWN = "down", "Down"
    PAUSED = "paused", "Paused"


class ScheduleKind(models.TextChoices):
    NONE = "none", "No heartbeat"
    SIMPLE = "simple", "Period and grace"
    CRON = "cron", "Cron expression"


class Workflow(models.Model):
    client = models.ForeignKey(
        "accounts.Client", on_delete=models.PROTECT, related_name="workflows"
    )
    name = models.CharField(max_length=200)
    platform = models.CharField(max_length=32, choices=Platform.choices)
    integrations = models.ManyToManyField("accounts.Integration", related_name="workflows")
    owner_notes = models.TextField(blank=True)
    # The secret part of the ping URL (/ping/<uuid>): whoever knows it can report for the
    # workflow, so it is random and never shown to other clients.
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    # Heartbeat schedule (healthchecks.io semantics): a ping is expected every `period_seconds`
    # (or at each cron fire in `cron_tz`), and the workflow is down `grace_seconds` after that.
    schedule_kind = models.CharField(
        max_length=8, choices=ScheduleKind.choices, default=ScheduleKind.NONE
    )
    period_seconds = models.PositiveIntegerField(null=True, blank=True)
    grace_seconds = models.PositiveIntegerField(default=3600)
    cron = models.CharField(max_length=100, blank=True)
    cron_tz = models.CharField(max_length=64, default="UTC")

    # Provider signals: down when failures reach `failure_rate_percent` of at least
    # `failure_min_messages` outcomes within `failure_window_seconds`; and, when set, when no
    # Meta event arrived for `silence_hours`.
    failure_rate_percent = models.PositiveSmallIntegerField(default=25)
    failure_window_seconds = models.PositiveIntegerField(default=900)
    failure_min_messages = models.PositiveIntegerField(default=10)
    silence_hours = models.PositiveIntegerField(null=True, blank=True)

    # Live state and the facts it is decided from (``health.assess``).
    state = models.CharField(max_length=8, choices=WorkflowState.choices, default=WorkflowState.NEW)
    state_reason = models.CharField(max_length=255, blank=True)
    last_ping_at = models.DateTimeField(null=True, blank=True)
    last_ping_failed = models.BooleanField(default=False)
    last_start_at = models.DateTimeField(null=True, blank=True)
    last_signal_at = models.DateTimeField(null=True, blank=True)
    last_event_at = models.DateTimeField(null=True, blank=True)  # provider events (Meta)
    failing_since = models.DateTimeField(null=True, blank=True)  # failure rate over threshold
    failing_reason = models.CharField(max_length=255, blank=True)
    # When the worker must next look (late, down, silence); null when nothing is pending.
    due_at = models.DateTimeField(null=True, blank=True)

    paused_at = models.DateTimeField(null=True, blank=True)
    paused_reason = models.CharField(max_length=255, blank=True)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The open outage ticket monitoring filed for this workflow, while it is open.
    outage_ticket = models.ForeignKey(
        "desk.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Configuration drift (clause 02): when the worker next reads the live Twilio configuration
    # (null: nothing to read), the last read that succeeded, and while reads fail, since when and
    # why (also any note on what could not be compared).
    drift_check_due_at = models.DateTimeField(null=True, blank=True)
    drift_checked_at = models.DateTimeField(null=True, blank=True)
    drift_check_failing_since = models.DateTimeField(null=True, blank=True)
    drift_check_message = models.CharField(max_length=255, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["due_at"], name="monitoring_due_idx", condition=Q(due_at__isnull=False)
            ),
            models.Index(fields=["client", "name"], name="monitoring_client_idx"),
            models.Index(fields=["state"], name="monitoring_state_idx"),
            models.Index(
                fields=["drift_check_due_at"],
                name="monitoring_drift_due_idx",
                condition=Q(drift_check_due_at__isnull=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["client", "name"], name="monitoring_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.client_id})"

    @property
    def ping_path(self) -> str:
        return f"/ping/{self.code}"


class IdentifierKind(models.TextChoices):
    PHONE = "phone", "Phone number"
    ACCOUNT = "account", "Account id"  # an Instagram account / page id
    SID = "sid", "Resource sid"  # a Twilio flow (FW…), service (ZS…) or number (PN…) sid


class WorkflowIdentifier(models.Model):
    """What providers call the workflow by: its numbers, account ids and resource sids.
    Indexed so a callback finds its workflow with one lookup."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=8, choices=IdentifierKind.choices)
    value = models.CharField(max_length=128)

    class Meta:
        indexes = [models.Index(fields=["kind", "value"], name="monitoring_identifier_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["workflow", "kind", "value"], name="monitoring_unique_identifier"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.value}"


class WorkflowVersion(models.Model):
    """One recorded state of the workflow's automation logic and messaging copy."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    logic = models.TextField(blank=True)
    copy = models.TextField(blank=True)
    # What the live platform must look like while this version is current (drift checks):
    # {"flows": {sid: {"revision": n}}, "numbers": {e164: {"sms_url": …, "voice_url": …}}}.
    live_config = models.JSONField(default=dict, blank=True)
    # Unified diff against the previous version, computed when the version is recorded.
    diff = models.TextField(blank=True)
    summary = models.CharField(max_length=255, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    ticket = models.ForeignKey(
        "desk.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The minor adjustment (clause 01 allowance) that produced this version, if any.
    time_entry = models.ForeignKey(
        "allowance.TimeEntry",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="workflow_versions",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workflow", "number"], name="monitoring_unique_version")
        ]
        ordering = ["workflow", "-number"]

    def __str__(self) -> str:
        return f"v{self.number} of {self.workflow_id}"


class SignalSource(models.TextChoices):
    PING = "ping", "Heartbeat"
    TWILIO_STATUS = "twilio_status", "Twilio message status"
    TWILIO_ALERT = "twilio_alert", "Twilio debugger alert"
    META = "meta", "Meta webhook"
    DRIFT = "drift", "Configuration drift"
    AGENT = "agent", "Agent"


class SignalKind(models.TextChoices):
    SUCCESS = "success", "Success"
    START = "start", "Start"
    FAIL = "fail", "Failure"
    LOG = "log", "Log"
    EVENT = "event", "Event"


class Signal(models.Model):
    """One thing a workflow or its provider told us (the signal log)."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="signals")
    at = models.DateTimeField()
    source = models.CharField(max_length=16, choices=SignalSource.choices)
    kind = models.CharField(max_length=8, choices=SignalKind.choices)
    exit_status = models.PositiveSmallIntegerField(null=True, blank=True)
    rid = models.UUIDField(null=True, blank=True)
    duration_ms = models.PositiveBigIntegerField(null=True, blank=True)
    method = models.CharField(max_length=8, blank=True)
    remote_addr = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    body_truncated = models.BooleanField(default=False)
    # The provider's id for what it told us: a replay carries the same one and is stored once.
    provider_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workflow", "at"], name="monitoring_signal_idx")]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} at {self.at:%Y-%m-%d %H:%M:%S}"


class Flip(models.Model):
    """A state change. Unprocessed flips are the worker's queue of consequences."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="flips")
    created_at = models.DateTimeField()
    old_state = models.CharField(max_length=8, choices=WorkflowState.choices)
    new_state = models.CharField(max_length=8, choices=WorkflowState.choices)
    reason = models.CharField(max_length=255, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    # What processing did: "alerted", "damped" (flapping), "quiet: <why>", "no action".
    outcome = models.CharField(max_length=255, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"],
                name="monitoring_flip_todo_idx",
                condition=Q(processed_at__isnull=True),
            ),
            models.Index(fields=["workflow", "created_at"], name="monitoring_flip_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.old_state} → {self.new_state} at {self.created_at:%Y-%m-%d %H:%M:%S}"


class Downtime(models.Model):
    """One interval a workflow was down (for its history and the client's statement)."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="downtimes")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=255, blank=True)
    ticket = models.ForeignKey(
        "desk.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"down from {self.started_at:%Y-%m-%d %H:%M}"

    def seconds(self, now: datetime) -> int:
        end = self.ended_at or now
        return max(int((end - self.started_at).total_seconds()), 0)


class MessageOutcomes(models.Model):
    """Message outcomes per workflow and minute: the failure rate over a window is the sum of
    a few rows, whatever the volume."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="+")
    minute = models.DateTimeField()
    delivered = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workflow", "minute"], name="monitoring_unique_minute")
        ]

    def __str__(self) -> str:
        return f"{self.workflow_id} {self.minute:%H:%M}: {self.delivered}/{self.failed}"


class TwilioAccount(models.Model):
    """A client's Twilio account (or subaccount): signature checks of its callbacks and the
    drift reads of its live configuration. The auth token is stored encrypted."""

    client = models.ForeignKey(
        "accounts.Client", on_delete=models.CASCADE, related_name="twilio_accounts"
    )
    account_sid = models.CharField(max_length=64, unique=True)
    auth_token_encrypted = models.TextField()
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.account_sid


class RejectedRequest(models.Model):
    """A provider request refused as forged, unsigned or stale (counted on the board)."""

    at = models.DateTimeField()
    endpoint = models.CharField(max_length=64)
    reason = models.CharField(max_length=255)
    remote_addr = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [models.Index(fields=["at"], name="monitoring_rejected_idx")]

    def __str__(self) -> str:
        return f"{self.endpoint}: {self.reason}"


class DriftKind(models.TextChoices):
    FLOW_CHANGED = "flow_changed", "Flow changed"
    WEBHOOK_CHANGED = "webhook_changed", "Webhook changed"


class DriftEvent(models.Model):
    """A change to a workflow's live Twilio configuration that no version recorded (clause 02
    evidence). At most one open event per workflow and subject: the same drift seen again is
    the same event; a further change supersedes it."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="drifts")
    detected_at = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=DriftKind.choices)
    # What drifted: "flow FW…", "sms +1555…", "voice +1555…", "number +1555…" (gone).
    subject = models.CharField(max_length=64)
    # The version compared against, and the compared fields as recorded and as live.
    version = models.ForeignKey(
        WorkflowVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expected = models.JSONField(default=dict)
    live = models.JSONField(default=dict)
    # When Twilio says the resource was last changed (null when it does not say).
    changed_at = models.DateTimeField(null=True, blank=True)
    # The clause 02 category the evidence supports and the sentence that says so.
    scope_category = models.CharField(max_length=40)
    evidence = models.TextField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=255, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["workflow", "detected_at"], name="monitoring_drift_idx"),
        ]
        # Also the index of a workflow's open drifts (the classifier's evidence lookup).
        constraints = [
            models.UniqueConstraint(
                fields=["workflow", "subject"],
                name="monitoring_unique_open_drift",
                condition=Q(resolved_at__isnull=True),
            )
        ]
        ordering = ["-detected_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} at {self.detected_at:%Y-%m-%d %H:%M}"
