"""What the acknowledgement of a monitoring-opened outage ticket says: which workflow broke
and why (the desk's acknowledgement template reads ``monitoring``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from operant.desk.models import Ticket, TicketSource
from operant.monitoring.models import Workflow


def monitoring_ack_context(tickets: list[Ticket], now: datetime) -> dict[int, dict[str, Any]]:
    wanted = [t.pk for t in tickets if t.source == TicketSource.MONITORING]
    if not wanted:
        return {}
    return {
        ticket_id: {"monitoring": {"workflow": name, "reason": reason or "no signal"}}
        for ticket_id, name, reason in Workflow.objects.filter(
            outage_ticket_id__in=wanted
        ).values_list("outage_ticket_id", "name", "state_reason")
    }
