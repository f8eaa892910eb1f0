"""When a vendor incident is material (clause 05): the one rule, read from the policy's
``[disruptions]``. Notices go out and clocks pause only for a material incident."""

from __future__ import annotations

from datetime import datetime, timedelta

from operant.policy.schema import SEVERITIES, Disruptions
from operant.vendors.models import UNCONFIRMED, Impact, VendorIncident

# 1 for the mildest severity; 0 for anything that is no disruption (operational, maintenance).
RANK = {severity: rank for rank, severity in enumerate(SEVERITIES, start=1)}
# A vendor's overall impact read on the same scale, for an incident that names no component
# (an Atom entry, an agent's report): "major" is what Statuspage says of a partial outage.
IMPACT_SEVERITY = {
    Impact.MINOR: "degraded_performance",
    Impact.MAJOR: "partial_outage",
    Impact.CRITICAL: "major_outage",
}


def incident_severity(incident: VendorIncident) -> int:
    """The worst of its components' states and the vendor's impact, as a RANK (0: none)."""
    ranks = [RANK.get(str(c.get("status", "")), 0) for c in incident.components]
    ranks.append(RANK.get(IMPACT_SEVERITY.get(incident.impact, ""), 0))
    return max(ranks)


def material_from(incident: VendorIncident, terms: Disruptions) -> datetime | None:
    """When the incident is (or becomes) material if it stays as it is: its start plus the
    policy's minimum duration; None while it is milder than the policy's minimum severity, and
    while it is only suspected from our own monitoring (or was dismissed): clients hear of it,
    and their clocks pause for it, once an agent or the vendor confirms it."""
    if incident.status in UNCONFIRMED:
        return None
    if incident_severity(incident) < RANK[terms.minimum_severity]:
        return None
    return incident.started_at + timedelta(minutes=terms.minimum_minutes)


def incident_material_check(*, incident: VendorIncident, terms: Disruptions, now: datetime) -> bool:
    """Set ``material_at`` (in memory) the first time an open incident meets the policy; True
    once it has. Materiality sticks: a disruption clients were told of is followed to its end
    even if it eases below the threshold."""
    if incident.material_at is not None:
        return True
    if incident.resolved_at is not None:
        return False  # over before it mattered: nobody is told
    since = material_from(incident, terms)
    if since is None or since > now:
        return False
    incident.material_at = now
    return True


def incident_ended_untold(incident: VendorIncident) -> bool:
    """Resolved before any notice went out: nothing is left to tell (not even the end)."""
    return incident.resolved_at is not None and incident.notice_version == 0


def incident_awaits_approval(incident: VendorIncident, terms: Disruptions) -> bool:
    """The policy asks an agent to approve notices and nobody has yet: no notice goes out
    (notices.py) and the console offers the approval, while something is left to tell."""
    return (
        terms.notices_need_approval
        and incident.approved_at is None
        and not incident_ended_untold(incident)
    )
