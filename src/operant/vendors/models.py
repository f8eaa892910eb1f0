"""Third-party status feeds and the incidents they report (clause 05).

A feed's next poll is stored in ``next_poll_at`` (partial index): the worker only asks "which
feeds are due?" (architecture 4.1). What a vendor calls its parts (components, groups) is mapped
to our integrations by ``ComponentMapping`` rows, data an agent can edit, so a renamed component
on a vendor's page is a row to change, not a release.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class FeedKind(models.TextChoices):
    STATUSPAGE = "statuspage", "Atlassian Statuspage (summary.json)"
    ATOM = "atom", "RSS/Atom status feed"


class VendorFeed(models.Model):
    # A policy `[[vendors]].key` (twilio, meta); the same key as Integration.vendor_key.
    vendor_key = models.SlugField(max_length=64)
    kind = models.CharField(max_length=16, choices=FeedKind.choices)
    url = models.URLField(max_length=500)
    poll_seconds = models.PositiveIntegerField(default=120)
    timeout_seconds = models.FloatField(default=10.0)
    created_at = models.DateTimeField()

    # Conditional requests: the validators of the last full answer, sent back so an unchanged
    # page costs the vendor (and us) a 304.
    etag = models.CharField(max_length=255, blank=True)
    last_modified = models.CharField(max_length=64, blank=True)

    # When the worker must poll next (the claim moves it forward first; see jobs.py).
    next_poll_at = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    # Failures in a row: the back-off doubles the interval with each one.
    consecutive_failures = models.PositiveIntegerField(default=0)
    # Shown to agents: why the last poll failed (blank once one succeeds) ...
    last_error = models.CharField(max_length=500, blank=True)
    # ... and what looked wrong in an answer that was used anyway (a component gone, a clock
    # that moved back), kept until the next poll says something else.
    last_warning = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_poll_at"],
                name="vendors_feed_due_idx",
                condition=Q(next_poll_at__isnull=False),
            ),
            # A last poll "in the future" means the clock moved back: such a feed is due now
            # (jobs.py), found through this index rather than a scan.
            models.Index(fields=["last_polled_at"], name="vendors_feed_polled_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["vendor_key", "url"], name="vendors_unique_feed"),
        ]

    def __str__(self) -> str:
        return f"{self.vendor_key} {self.kind} {self.url}"


class ComponentMapping(models.Model):
    """A vendor's component, or group of components, that one of our integrations runs on.

    ``component`` is matched, case-insensitively, against a component's id, its name, its
    group's name, and "GROUP - name" (how Statuspage names a child in incident updates); for
    Atom feeds, against an entry's categories and title. ``*`` matches everything of the vendor.
    """

    vendor_key = models.SlugField(max_length=64)
    component = models.CharField(max_length=200)
    integration = models.ForeignKey(
        "accounts.Integration", on_delete=models.CASCADE, related_name="vendor_mappings"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["vendor_key", "component", "integration"], name="vendors_unique_mapping"
            ),
        ]
        ordering = ["vendor_key", "component"]

    def __str__(self) -> str:
        return f"{self.vendor_key}: {self.component} -> {self.integration_id}"


class ComponentState(models.TextChoices):
    OPERATIONAL = "operational", "Operational"
    DEGRADED = "degraded_performance", "Degraded performance"
    PARTIAL = "partial_outage", "Partial outage"
    MAJOR = "major_outage", "Major outage"
    MAINTENANCE = "under_maintenance", "Under maintenance"


class ComponentStatus(models.Model):
    """The last status a feed showed for one component; ``missing_since`` when it vanished.
    Written only when something changed, so a quiet page costs no writes."""

    feed = models.ForeignKey(VendorFeed, on_delete=models.CASCADE, related_name="components")
    component_id = models.CharField(max_length=100)
    name = models.CharField(max_length=200)
    group_name = models.CharField(max_length=200, blank=True)
    is_group = models.BooleanField(default=False)
    status = models.CharField(max_length=32)
    status_since = models.DateTimeField()  # when this status was first seen
    missing_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["feed", "component_id"], name="vendors_unique_comp"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.status}"


class IncidentSource(models.TextChoices):
    STATUSPAGE = "statuspage", "Vendor status page"
    ATOM = "atom", "Vendor status feed"
    COMPONENT = "component", "Component status (no vendor incident yet)"
    MANUAL = "manual", "Entered by an agent"
    # Suggested by our own monitoring: many workflows on one integration down together.
    MONITORING = "monitoring", "Suggested by monitoring"


class IncidentStatus(models.TextChoices):
    INVESTIGATING = "investigating", "Investigating"
    IDENTIFIED = "identified", "Identified"
    MONITORING = "monitoring", "Monitoring"
    RESOLVED = "resolved", "Resolved"
    # Monitoring's suggestion, not confirmed by an agent or the vendor's page yet: no client is
    # told, no clock paused; a dismissed one was not a vendor incident after all.
    SUSPECTED = "suspected", "Suspected"
    DISMISSED = "dismissed", "Dismissed"


# Incidents in these statuses are for agents only: clients, the status page and their notices
# never see them.
UNCONFIRMED = (IncidentStatus.SUSPECTED, IncidentStatus.DISMISSED)


class Impact(models.TextChoices):
    NONE = "none", "None"
    MINOR = "minor", "Minor"
    MAJOR = "major", "Major"
    CRITICAL = "critical", "Critical"


class VendorIncident(models.Model):
    vendor_key = models.SlugField(max_length=64)
    feed = models.ForeignKey(
        VendorFeed, null=True, blank=True, on_delete=models.SET_NULL, related_name="incidents"
    )
    source = models.CharField(max_length=16, choices=IncidentSource.choices)
    # The vendor's incident id (a replayed page never opens it twice); for a component-derived
    # incident "component:<feed>:<first component>:<opened>", replaced by the vendor's id when
    # the page publishes an incident for those components; blank for a manual one.
    external_id = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=300)
    status = models.CharField(max_length=16, choices=IncidentStatus.choices)
    impact = models.CharField(max_length=16, choices=Impact.choices, default=Impact.MINOR)
    url = models.URLField(max_length=500, blank=True)
    integrations = models.ManyToManyField(
        "accounts.Integration", related_name="vendor_incidents", blank=True
    )
    # The vendor components involved, as last seen: [{"id", "name", "status"}].
    components = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # What clients can do meanwhile (clause 05), written by an agent from the integrations'
    # templates; every change is a new notice to the affected clients.
    workaround = models.TextField(blank=True)
    workaround_updated_at = models.DateTimeField(null=True, blank=True)
    # An agent's go-ahead for notices, when the policy's [disruptions] asks for one.
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When the incident first met the policy's materiality (severity and duration); null
    # while it has not (then no notice goes out and no clock is paused for it).
    material_at = models.DateTimeField(null=True, blank=True)
    # Notices: when the worker must look at this incident again (a change, or the moment it
    # becomes material), the number of the last message sent, and what that message said
    # (a digest of status, workaround and resolution: a new one is a new message).
    notices_due_at = models.DateTimeField(null=True, blank=True)
    notice_version = models.PositiveIntegerField(default=0)
    notice_digest = models.CharField(max_length=64, blank=True)
    # Tickets: when the worker must next look for tickets to link and pause (again every
    # minute while open: new tickets keep coming), or resume them once resolved.
    tickets_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["vendor_key"],
                name="vendors_incident_open_idx",
                condition=Q(resolved_at__isnull=True),
            ),
            models.Index(
                fields=["notices_due_at"],
                name="vendors_notices_due_idx",
                condition=Q(notices_due_at__isnull=False),
            ),
            models.Index(
                fields=["tickets_due_at"],
                name="vendors_tickets_due_idx",
                condition=Q(tickets_due_at__isnull=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor_key", "external_id"],
                name="vendors_unique_external_incident",
                condition=~Q(external_id=""),
            ),
        ]
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.vendor_key}: {self.title} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def is_suspected(self) -> bool:
        return self.status == IncidentStatus.SUSPECTED


class IncidentUpdate(models.Model):
    """One entry of an incident's timeline; ``external_id`` makes a replayed feed a no-op."""

    incident = models.ForeignKey(VendorIncident, on_delete=models.CASCADE, related_name="updates")
    external_id = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=IncidentStatus.choices)
    body = models.TextField(blank=True)
    posted_at = models.DateTimeField()  # as the vendor dates it (or when an agent wrote it)
    recorded_at = models.DateTimeField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "external_id"],
                name="vendors_unique_update",
                condition=~Q(external_id=""),
            ),
        ]
        ordering = ["incident", "posted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.status}: {self.body[:40]}"


class WorkaroundTemplate(models.Model):
    """What clients of an integration can do while its vendor is down: the text an incident's
    workaround starts from (seeded by migration 0004; agents edit it in the admin)."""

    integration = models.OneToOneField(
        "accounts.Integration", on_delete=models.CASCADE, related_name="workaround_template"
    )
    text = models.TextField()

    def __str__(self) -> str:
        return f"workaround for {self.integration_id}"


class NoticeKind(models.TextChoices):
    NOTICE = "notice", "First notice"
    UPDATE = "update", "Update"
    RESOLVED = "resolved", "Resolution"


class IncidentNotice(models.Model):
    """One message of an incident to one client: unique per incident, client and message
    number, so each client gets each message once whatever the number of workers."""

    incident = models.ForeignKey(VendorIncident, on_delete=models.CASCADE, related_name="notices")
    client = models.ForeignKey("accounts.Client", on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=8, choices=NoticeKind.choices)
    notification = models.ForeignKey(
        "notify.Notification", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "client", "version"], name="vendors_unique_notice"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.version} of {self.incident_id} to {self.client_id}"


class LinkVia(models.TextChoices):
    WORKFLOW = "workflow", "Monitoring outage ticket of a workflow on the integration"
    CLASSIFIED = "classified", "Outage request naming the integration"
    AGENT = "agent", "Linked by an agent"


class IncidentTicket(models.Model):
    """A ticket an incident affects: linked (and its clock paused for "third-party outage")
    while the incident lasts, resumed when it ends. ``paused_at`` is set when this link paused
    the clock, ``resumed_at`` when it let it run again."""

    incident = models.ForeignKey(VendorIncident, on_delete=models.CASCADE, related_name="tickets")
    ticket = models.ForeignKey("desk.Ticket", on_delete=models.CASCADE, related_name="+")
    via = models.CharField(max_length=16, choices=LinkVia.choices)
    linked_at = models.DateTimeField()
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paused_at = models.DateTimeField(null=True, blank=True)
    resumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "ticket"], name="vendors_unique_link")
        ]

    def __str__(self) -> str:
        return f"incident {self.incident_id} affects ticket {self.ticket_id}"


class FlipCursor(models.Model):
    """How far corroboration has read monitoring's flips (one row): monitoring's tables are
    read, never written, so the position is kept here."""

    last_flip_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"flips read up to {self.last_flip_id}"
