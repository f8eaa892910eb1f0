"""What the acknowledgement of a new ticket says of a vendor incident under way: the desk's
acknowledgement template reads ``vendor_incidents`` (one entry per material, open incident
affecting the ticket's client)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from operant.accounts.models import Client
from operant.desk.models import Ticket
from operant.vendors.incidents import vendor_name
from operant.vendors.models import VendorIncident
from operant.vendors.queries import affected_clients_q


def vendors_ack_context(tickets: list[Ticket], now: datetime) -> dict[int, dict[str, Any]]:
    """One query for the open material incidents (usually none), then one per incident."""
    client_ids = {t.client_id for t in tickets if t.client_id is not None}
    if not client_ids:
        return {}
    incidents = VendorIncident.objects.filter(
        resolved_at=None, material_at__isnull=False, material_at__lte=now
    ).prefetch_related("integrations")
    said: dict[int, list[dict[str, str]]] = {}
    for incident in incidents.order_by("started_at", "pk"):
        integrations = sorted(incident.integrations.all(), key=lambda i: i.key)
        affected = Client.objects.filter(affected_clients_q(integrations), pk__in=client_ids)
        entry = {
            "vendor": vendor_name(incident.vendor_key),
            "integrations": ", ".join(i.name for i in integrations),
            "title": incident.title,
        }
        for client_id in affected.values_list("pk", flat=True):
            said.setdefault(client_id, []).append(entry)
    return {t.pk: {"vendor_incidents": said[t.client_id]} for t in tickets if t.client_id in said}
