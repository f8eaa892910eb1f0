"""Telling the affected clients of a material vendor incident (clause 05): the first notice
with the workaround, an update whenever the workaround or the status changes, the resolution.

The caller (jobs.py) has claimed the incident's ``notices_due_at``, so one worker sends; the
``IncidentNotice`` row per incident, client and message number (unique) and the outbox's dedupe
key make a second send of the same message impossible even so. Queries do not grow with the
number of clients: the clients with their contacts and packages are four queries, the outbox
rows and the notice rows one INSERT each.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string

from operant.core.bulk import bulk_insert_values
from operant.core.timefmt import human_datetime
from operant.notify.models import Notification
from operant.notify.services import notification_build, notifications_queue_many
from operant.policy.loader import current_policy
from operant.policy.schema import Disruptions
from operant.vendors.disruption import (
    incident_awaits_approval,
    incident_ended_untold,
    incident_material_check,
    material_from,
)
from operant.vendors.errors import VendorsError
from operant.vendors.incidents import vendor_name
from operant.vendors.models import (
    IncidentNotice,
    IncidentStatus,
    NoticeKind,
    VendorIncident,
)
from operant.vendors.queries import Recipient, incident_affected_clients, notice_recipients
from operant.vendors.workarounds import incident_workaround_prefill

if TYPE_CHECKING:
    from operant.accounts.models import Integration, User


def notice_digest(incident: VendorIncident, workaround: str) -> str:
    """What a message says that, changed, makes a new message: status, workaround, the end."""
    said = "\0".join([incident.status, workaround, str(incident.resolved_at is not None)])
    return hashlib.sha256(said.encode()).hexdigest()


def notice_dedupe_key(incident: VendorIncident, version: int, client_id: int) -> str:
    return f"vendors:{incident.pk}:{version}:{client_id}"


def incident_approve(*, incident: VendorIncident, actor: User | None, now: datetime) -> bool:
    """An agent's go-ahead for the incident's notices (policy ``notices_need_approval``);
    False when it was approved already."""
    if incident_ended_untold(incident):
        raise VendorsError(f"incident {incident.pk} ended before any notice: nothing to approve")
    updated = VendorIncident.objects.filter(pk=incident.pk, approved_at=None).update(
        approved_at=now, approved_by=actor, notices_due_at=now
    )
    if updated:
        incident.approved_at, incident.approved_by, incident.notices_due_at = now, actor, now
    return bool(updated)


def _kind(incident: VendorIncident, version: int) -> str:
    if incident.resolved_at is not None:
        return NoticeKind.RESOLVED
    return NoticeKind.NOTICE if version == 1 else NoticeKind.UPDATE


# The one line of a notice that names the client; the rest is rendered once per wording: a
# notice to 5,000 clients is a few renderings, not 5,000.
GREETING = "Hello {name},\n\n"
SUBJECT_PREFIX = {"notice": "Service disruption", "update": "Update", "resolved": "Resolved"}


class _Letters:
    """One message of an incident, written for many clients: what is the same for all of
    them (vendor, status, workaround, each wording's body) is worked out once per batch."""

    def __init__(
        self,
        incident: VendorIncident,
        integrations: list[Integration],
        version: int,
        workaround: str,
        now: datetime,
    ) -> None:
        self.incident, self.integrations, self.version = incident, integrations, version
        self.workaround, self.now = workaround, now
        self.kind = _kind(incident, version)
        self.vendor = vendor_name(incident.vendor_key)
        self.contact_email = current_policy().contact.support_email
        self._bodies: dict[tuple[Any, ...], str] = {}
        self._names: dict[int, tuple[str, ...]] = {}  # per package

    def _integration_names(self, recipient: Recipient) -> tuple[str, ...]:
        """The incident's integrations in the client's package (all of them when none is:
        an agent linked the client by hand)."""
        names = [i.name for i in self.integrations if i.pk in recipient.package_integrations]
        return tuple(names or [i.name for i in self.integrations])

    def _body(self, names: tuple[str, ...], zone: Any) -> str:
        wording = (names, zone)
        if wording not in self._bodies:
            incident = self.incident
            self._bodies[wording] = render_to_string(
                "vendors/email/notice.txt",
                {
                    "incident": incident,
                    "kind": self.kind,
                    "vendor": self.vendor,
                    "integrations": ", ".join(names),
                    "status": IncidentStatus(incident.status).label,
                    "workaround": self.workaround,
                    "resolved_local": human_datetime(incident.resolved_at, zone) if zone else "",
                    "contact_email": self.contact_email,
                },
            )
        return self._bodies[wording]

    def to(self, recipient: Recipient) -> Notification:
        names = self._integration_names(recipient)
        # Only a resolution names a time, in the client's zone.
        zone = ZoneInfo(recipient.timezone) if self.incident.resolved_at else None
        subject = f"{SUBJECT_PREFIX[self.kind]}: {self.vendor} ({', '.join(names)}): "
        return notification_build(
            kind=f"vendors.{self.kind}",
            to=recipient.addresses,
            subject=(subject + self.incident.title)[:250],
            body_text=GREETING.format(name=recipient.name) + self._body(names, zone),
            now=self.now,
            dedupe_key=notice_dedupe_key(self.incident, self.version, recipient.pk),
        )


def incident_notices_send(*, incident: VendorIncident, version: int, now: datetime) -> int:
    """Queue message ``version`` to each affected client not sent it yet; how many were
    queued. A client with no address is recorded as told (nothing to send or retry)."""
    told = set(
        IncidentNotice.objects.filter(incident=incident, version=version).values_list(
            "client_id", flat=True
        )
    )
    recipients = [
        r
        for r in notice_recipients(incident_affected_clients(incident=incident))
        if r.pk not in told
    ]
    letters = _Letters(
        incident,
        list(incident.integrations.order_by("key")),
        version,
        incident_workaround_prefill(incident),
        now,
    )
    built = [letters.to(r) for r in recipients]
    queued = notifications_queue_many([n for n in built if n.to])
    by_key = {n.dedupe_key: n for n in queued}
    notification_ids = {key: n.pk for key, n in by_key.items()}
    bulk_insert_values(
        IncidentNotice,
        [
            {
                "incident_id": incident.pk,
                "client_id": r.pk,
                "version": version,
                "kind": letters.kind,
                "notification_id": notification_ids.get(notice_dedupe_key(incident, version, r.pk)),
                "created_at": now,
            }
            for r in recipients
        ],
    )
    return len(queued)


def incident_notices_process(*, incident: VendorIncident, terms: Disruptions, now: datetime) -> int:
    """The claimed incident's next message, if one is due: 1. material yet? (if not, when to
    look again) 2. approved, if the policy asks. 3. a message that says something new (never a
    resolution of what nobody was told). Returns how many notices were queued."""
    fields = ["notices_due_at", "material_at", "tickets_due_at", "notice_version", "notice_digest"]
    incident.notices_due_at = None
    was_material = incident.material_at is not None
    queued = 0
    if not incident_material_check(incident=incident, terms=terms, now=now):
        since = material_from(incident, terms)
        if incident.resolved_at is None and since is not None:
            incident.notices_due_at = since  # look again when it has lasted long enough
    else:
        if not was_material:
            incident.tickets_due_at = now  # pause the clocks of the tickets it affects
        workaround = incident_workaround_prefill(incident)
        digest = notice_digest(incident, workaround)
        approved = not incident_awaits_approval(incident, terms)
        if approved and digest != incident.notice_digest and not incident_ended_untold(incident):
            version = incident.notice_version + 1
            queued = incident_notices_send(incident=incident, version=version, now=now)
            incident.notice_version, incident.notice_digest = version, digest
    VendorIncident.objects.filter(pk=incident.pk).update(
        **{name: getattr(incident, name) for name in fields}
    )
    return queued
