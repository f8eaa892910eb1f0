"""Monitoring's own signals suggest a vendor incident before the vendor's page admits it
(clause 05): workflows of several clients, all on one vendor integration, going down within a
short window (policy ``[corroboration]``).

The worker reads monitoring's flips past a cursor (never writing monitoring's tables). An
integration that a new "down" flip touches is looked at: when enough clients' workflows on it
went down within the window and are still down, and no open incident covers it, a *suspected*
incident is opened and the operator on duty alerted. A suspected incident tells no client and
pauses no clock: an agent confirms it (it becomes an ordinary incident) or dismisses it, or
the vendor's page opens a matching incident, which takes it over (``suspected_adoptable``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Exists, OuterRef

from operant.accounts.models import Integration
from operant.monitoring.alerts import operators_alert
from operant.monitoring.models import Flip, Workflow, WorkflowState
from operant.policy.loader import current_policy
from operant.vendors.errors import VendorsError
from operant.vendors.incidents import (
    incident_open,
    incident_resolve,
    incident_revise,
    incident_update_append,
    vendor_name,
)
from operant.vendors.models import (
    FlipCursor,
    Impact,
    IncidentSource,
    IncidentStatus,
    VendorIncident,
)

if TYPE_CHECKING:
    from operant.accounts.models import User

# Flips read per pass: a burst larger than this is read over the next passes.
BATCH = 1000


def _cursor() -> FlipCursor | None:
    """The cursor row, locked; None while another worker holds it (it does this pass)."""
    FlipCursor.objects.get_or_create(pk=1)
    return FlipCursor.objects.select_for_update(skip_locked=True).filter(pk=1).first()


def flips_corroborate(*, now: datetime) -> int:
    """One pass (a worker job): read the new flips, open the suspected incidents they call for;
    returns how many were opened."""
    with transaction.atomic():
        cursor = _cursor()
        if cursor is None:
            return 0
        flips = list(
            Flip.objects.filter(pk__gt=cursor.last_flip_id)
            .order_by("pk")
            .values_list("pk", "new_state", "workflow_id")[:BATCH]
        )
        if not flips:
            return 0
        went_down = {workflow_id for _, state, workflow_id in flips if state == WorkflowState.DOWN}
        touched = Integration.objects.filter(workflows__in=went_down).exclude(vendor_key="")
        opened = sum(_suspect(integration, now) for integration in touched.distinct())
        FlipCursor.objects.filter(pk=1).update(last_flip_id=flips[-1][0], updated_at=now)
    return opened


def down_together(*, integration: Integration, now: datetime) -> list[Workflow]:
    """The workflows on the integration that went down within the window and are down still."""
    since = now - timedelta(minutes=current_policy().corroboration.window_minutes)
    recent = Flip.objects.filter(
        workflow_id=OuterRef("pk"), new_state=WorkflowState.DOWN, created_at__gte=since
    )
    return list(
        Workflow.objects.filter(integrations=integration, state=WorkflowState.DOWN)
        .filter(Exists(recent))
        .select_related("client")
        .order_by("client__slug", "name")
    )


def _suspect(integration: Integration, now: datetime) -> int:
    if VendorIncident.objects.filter(integrations=integration, resolved_at=None).exists():
        return 0  # already known (the vendor's, an agent's, or suspected): nothing to suggest
    workflows = down_together(integration=integration, now=now)
    clients = {w.client_id for w in workflows}
    terms = current_policy().corroboration
    if len(clients) < terms.min_clients:
        return 0
    vendor = vendor_name(integration.vendor_key)
    incident = incident_open(
        vendor_key=integration.vendor_key, feed=None, source=IncidentSource.MONITORING,
        external_id="", status=IncidentStatus.SUSPECTED, impact=Impact.MINOR, started_at=now,
        title=f"Suspected {vendor} incident: {integration.name}", integration_ids=[integration.pk],
        now=now,
    )  # fmt: skip
    listed = "\n".join(f"- {w.name} ({w.client.name})" for w in workflows)
    body = (
        f"{len(workflows)} workflows of {len(clients)} clients on {integration.name} went down "
        f"within {terms.window_minutes} minutes; {vendor}'s page reports nothing yet.\n{listed}"
    )
    incident_update_append(
        incident=incident, status=IncidentStatus.SUSPECTED, body=body, posted_at=now, now=now
    )
    operators_alert(
        subject=f"SUSPECTED {vendor} incident: {integration.name}, {len(clients)} clients down",
        text=f"{body}\n\nConfirm or dismiss it on the console's vendor incidents page.",
        dedupe_key=f"vendors-suspected:{incident.pk}",
        now=now,
    )
    return 1


def suspected_adoptable(
    *, vendor_key: str, integration_ids: Iterable[int]
) -> VendorIncident | None:
    """The open suspected incident of the vendor on one of these integrations: the one a
    vendor's incident (or component status) on them takes over."""
    return (
        VendorIncident.objects.filter(
            vendor_key=vendor_key,
            status=IncidentStatus.SUSPECTED,
            resolved_at=None,
            integrations__in=list(integration_ids),
        )
        .order_by("pk")
        .first()
    )


def suspected_adopt(
    *, incident: VendorIncident, now: datetime, integration_ids: Iterable[int], **fields: object
) -> None:
    """The vendor's page now reports what monitoring suspected: the incident becomes the
    vendor's (its fields), keeping its start (we saw it first) and its timeline."""
    incident_revise(incident=incident, now=now, integration_ids=integration_ids, **fields)
    incident_update_append(
        incident=incident, status=incident.status, posted_at=now, now=now,
        body=f"{vendor_name(incident.vendor_key)}'s page now reports it: {incident.title}",
    )  # fmt: skip


def _suspected(incident: VendorIncident) -> None:
    if incident.status != IncidentStatus.SUSPECTED or incident.resolved_at is not None:
        raise VendorsError(f"incident {incident.pk} is not a suspected incident")


def incident_confirm(
    *, incident: VendorIncident, now: datetime, author: User | None, body: str = ""
) -> VendorIncident:
    """An agent confirms monitoring's suspicion: an ordinary incident from now on (notices,
    clock pauses and the status page follow it)."""
    _suspected(incident)
    with transaction.atomic():
        incident_revise(incident=incident, now=now, status=IncidentStatus.INVESTIGATING)
        incident_update_append(
            incident=incident, status=IncidentStatus.INVESTIGATING, posted_at=now, now=now,
            body=body.strip() or "Confirmed by an agent: a vendor incident.", author=author,
        )  # fmt: skip
    return incident


def incident_dismiss(
    *, incident: VendorIncident, now: datetime, author: User | None, reason: str = ""
) -> VendorIncident:
    """Not a vendor incident after all: closed, never shown to clients."""
    _suspected(incident)
    with transaction.atomic():
        incident_resolve(
            incident=incident, now=now, author=author,
            body=reason.strip() or "Dismissed by an agent: not a vendor incident.",
        )  # fmt: skip
        incident_revise(incident=incident, now=now, status=IncidentStatus.DISMISSED)
    return incident
