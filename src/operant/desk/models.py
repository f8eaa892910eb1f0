"""Tickets, their messages and history, and the first-response clock.

The clock lives on the ticket row: its next deadline is stored in ``clock_due_at`` (partial
index) so the worker only ever asks "which clocks need attention now?" (architecture 4.1).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from operant.policy import classes as policy_classes

# The classes a ticket is filed under, as Django choices: defined with the policy (which gives
# each its targets and clause), named and labelled here exactly as there.
RequestClass = models.TextChoices(
    "RequestClass", [(c.name, (c.value, c.label)) for c in policy_classes.RequestClass]
)


class TicketState(models.TextChoices):
    OPEN = "open", "Open"
    WAITING = "waiting", "Waiting on client"
    SOLVED = "solved", "Solved"


class TicketSource(models.TextChoices):
    """Where a ticket came from: a person writing, or the desk noticing by itself."""

    EMAIL = "email", "Email"
    MONITORING = "monitoring", "Monitoring"


class ClockState(models.TextChoices):
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    MET = "met", "Met"
    BREACHED = "breached", "Breached"


class Ticket(models.Model):
    client = models.ForeignKey(
        "accounts.Client", null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    contact = models.ForeignKey(
        "accounts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    requester_email = models.EmailField()
    subject = models.CharField(max_length=998)
    source = models.CharField(
        max_length=16, choices=TicketSource.choices, default=TicketSource.EMAIL
    )
    request_class = models.CharField(
        max_length=16, choices=RequestClass.choices, default=RequestClass.GENERAL
    )
    scope_category = models.CharField(max_length=64, blank=True)
    classification_reasons = models.JSONField(default=list, blank=True)
    classification_clause = models.CharField(max_length=8, blank=True)
    policy_version = models.ForeignKey(
        "policy.PolicyVersion", null=True, blank=True, on_delete=models.PROTECT
    )
    state = models.CharField(max_length=16, choices=TicketState.choices, default=TicketState.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    flagged = models.BooleanField(default=False)
    flag_reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    last_message_at = models.DateTimeField()

    # First-response clock (clause 03).
    received_at = models.DateTimeField()
    clock_state = models.CharField(
        max_length=16, choices=ClockState.choices, default=ClockState.RUNNING
    )
    target_at = models.DateTimeField(null=True, blank=True)
    limit_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    limit_passed_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    pause_reason = models.CharField(max_length=32, blank=True)
    # Business time the clock has been paused in total; added back onto the policy deadlines.
    paused_seconds = models.PositiveIntegerField(default=0)
    # When the worker must next look at this clock (warning, target, limit); null when done.
    clock_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["clock_due_at"],
                name="desk_clock_due_idx",
                condition=Q(clock_due_at__isnull=False),
            ),
            models.Index(fields=["state", "target_at"], name="desk_queue_idx"),
            models.Index(fields=["client", "created_at"], name="desk_client_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.subject}"

    @property
    def ref(self) -> str:
        return ticket_ref(self.pk)


REF_PREFIX = "OPR"


def ticket_ref(pk: int | None) -> str:
    return f"{REF_PREFIX}-{pk}"


# The notification kind of an acknowledgement (counted per sender for the rate limit).
ACK_KIND = "desk.acknowledgement"


class MessageKind(models.TextChoices):
    INBOUND = "inbound", "From the client"
    OUTBOUND = "outbound", "Reply to the client"
    ACKNOWLEDGEMENT = "ack", "Acknowledgement"
    NOTE = "note", "Internal note"
    # Sent by the desk itself on an event it noticed (a monitored workflow went down or came
    # back), not in answer to the client.
    NOTICE = "notice", "Automatic notice"


# What a client may read of a ticket (the portal and the client API both ask
# ``desk.queries.client_conversation``). Internal notes are left out by naming what is shown,
# so a message kind added later stays hidden until someone decides it is for clients.
CLIENT_VISIBLE_KINDS = (
    MessageKind.INBOUND,
    MessageKind.OUTBOUND,
    MessageKind.ACKNOWLEDGEMENT,
    MessageKind.NOTICE,
)


class Message(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=16, choices=MessageKind.choices)
    # Without angle brackets; what replies name it by. Not unique: senders reuse Message-IDs
    # for different mails (a redelivery of one mail is one inbound row, hence one message).
    message_id = models.CharField(max_length=255, db_index=True, null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_address = models.CharField(max_length=320, blank=True)
    from_name = models.CharField(max_length=255, blank=True)
    to = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=998, blank=True)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    quoted_text_start = models.IntegerField(null=True, blank=True)
    inbound = models.ForeignKey(
        "mail.InboundMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notification = models.ForeignKey(
        "notify.Notification", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["ticket", "created_at"], name="desk_message_idx")]

    def __str__(self) -> str:
        return f"{self.kind} on {self.ticket_id}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    # Null when the attachment was over the size limit: kept out, the ticket says so.
    content = models.BinaryField(null=True, blank=True)

    def __str__(self) -> str:
        return self.filename

    @property
    def omitted(self) -> bool:
        return self.content is None


class TicketEvent(models.Model):
    """The ticket's history: every change, who made it, and the policy behind decisions."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=32)
    data = models.JSONField(default=dict, blank=True)
    policy_version = models.ForeignKey(
        "policy.PolicyVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["ticket", "at"], name="desk_event_idx")]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"


class ClockPause(models.Model):
    """A recorded interval during which the first-response clock did not run."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="pauses")
    reason = models.CharField(max_length=32)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.reason} from {self.started_at:%Y-%m-%d %H:%M}"
