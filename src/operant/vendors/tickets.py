"""Tickets a vendor incident affects (clause 03: no liability for delays a third party causes).

A ticket concerns an incident when its client is affected and one of these says it is about an
affected integration:
- it is monitoring's outage ticket of a workflow using the integration (the registry knows);
- it was classified an outage naming the integration (the classifier's ``integration:KEY``
  signal: a question that merely mentions SMS is not delayed by Twilio's outage);
- an agent linked it to the incident.
While a material incident lasts, such a ticket is linked (``IncidentTicket``) and its running
clock paused with the reason "third-party outage", through the desk's own services; when the
incident ends the clock runs again, unless another open incident still holds it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction

from operant.desk.clock import THIRD_PARTY_OUTAGE
from operant.desk.models import ClockState, RequestClass, Ticket, TicketState
from operant.desk.queries import tickets_signals
from operant.desk.services import TicketError, ticket_clock_pause, ticket_clock_resume_reason
from operant.monitoring.models import Workflow
from operant.vendors.errors import VendorsError
from operant.vendors.models import IncidentTicket, LinkVia, VendorIncident
from operant.vendors.queries import incident_affected_clients

if TYPE_CHECKING:
    from operant.accounts.models import User

log = logging.getLogger(__name__)
# How often an open incident looks for new tickets (one arriving meanwhile runs its clock this
# long at most before the pause: the time counts against us, never for us).
RESCAN = timedelta(minutes=1)
OPEN_STATES = (TicketState.OPEN, TicketState.WAITING)


def _concerning(incident: VendorIncident) -> dict[int, str]:
    """Tickets not yet linked that the incident affects, with how: a fixed number of queries
    whatever the number of clients or tickets."""
    clients = incident_affected_clients(incident=incident).order_by().values("pk")
    linked = IncidentTicket.objects.filter(incident=incident).values("ticket_id")
    found: dict[int, str] = {}
    outage_tickets = (
        Workflow.objects.filter(
            integrations__vendor_incidents=incident,
            client__in=clients,
            outage_ticket__state__in=OPEN_STATES,
        )
        .exclude(outage_ticket__in=linked)
        .values_list("outage_ticket_id", flat=True)
    )
    found.update(dict.fromkeys(outage_tickets, LinkVia.WORKFLOW))
    outages = list(
        Ticket.objects.filter(
            client__in=clients, state__in=OPEN_STATES, request_class=RequestClass.OUTAGE
        )
        .exclude(pk__in=linked)
        .exclude(pk__in=list(found))
        .values_list("pk", flat=True)
    )
    wanted = {f"integration:{key}" for key in incident.integrations.values_list("key", flat=True)}
    for ticket_id, signals in tickets_signals(outages).items():
        if signals & wanted:
            found[ticket_id] = LinkVia.CLASSIFIED
    return found


def _pause(link: IncidentTicket, now: datetime) -> bool:
    try:
        ticket_clock_pause(ticket=link.ticket, reason=THIRD_PARTY_OUTAGE, actor=None, now=now)
    except TicketError:
        return False  # paused or answered meanwhile: nothing of ours to pause
    IncidentTicket.objects.filter(pk=link.pk).update(paused_at=now)
    return True


def _pause_running(incident: VendorIncident, now: datetime) -> int:
    """Pause the running clocks of the incident's links (a clock paused for another reason,
    say waiting on the client, is paused again for the outage once it runs)."""
    links = IncidentTicket.objects.filter(
        incident=incident,
        paused_at=None,
        ticket__clock_state=ClockState.RUNNING,
        ticket__state__in=OPEN_STATES,
    ).select_related("ticket")
    return sum(_pause(link, now) for link in links)


def _resume(incident: VendorIncident, now: datetime) -> int:
    """Let go of the clocks this incident paused; one another open incident also holds stays
    paused, now held by that incident's link."""
    resumed = 0
    held = IncidentTicket.objects.filter(
        incident=incident, paused_at__isnull=False, resumed_at=None
    ).select_related("ticket")
    for link in held:
        others = IncidentTicket.objects.filter(
            ticket_id=link.ticket_id,
            incident__resolved_at=None,
            incident__material_at__isnull=False,
        ).exclude(incident=incident)
        with transaction.atomic():
            if others.exists():
                others.filter(paused_at=None).update(paused_at=link.paused_at)
            elif ticket_clock_resume_reason(
                ticket=link.ticket, reason=THIRD_PARTY_OUTAGE, actor=None, now=now
            ):
                resumed += 1
            IncidentTicket.objects.filter(pk=link.pk).update(resumed_at=now)
    return resumed


def incident_tickets_process(*, incident: VendorIncident, now: datetime) -> int:
    """The claimed incident's tickets: open and material, link and pause (and look again in a
    minute); resolved, resume. Returns how many clocks were paused or resumed."""
    due: datetime | None = None
    if incident.resolved_at is not None:
        changed = _resume(incident, now)
    elif incident.material_at is not None:
        found = _concerning(incident)
        IncidentTicket.objects.bulk_create(
            [
                IncidentTicket(incident=incident, ticket_id=pk, via=via, linked_at=now)
                for pk, via in found.items()
            ],
            ignore_conflicts=True,  # another link written meanwhile (an agent's) stands
        )
        changed = _pause_running(incident, now)
        due = now + RESCAN
    else:
        changed = 0
    VendorIncident.objects.filter(pk=incident.pk).update(tickets_due_at=due)
    return changed


def incident_ticket_link(
    *, incident: VendorIncident, ticket: Ticket, actor: User | None, now: datetime
) -> IncidentTicket:
    """An agent says the ticket is about the incident; its clock pauses with the next look at
    the incident's tickets (now), if the incident is material and still open."""
    if incident.resolved_at is not None:
        raise VendorsError(f"incident {incident.pk} is resolved: its tickets' clocks run again")
    if ticket.client_id is None:
        raise VendorsError(f"ticket {ticket.ref} has no client")
    link, _ = IncidentTicket.objects.get_or_create(
        incident=incident,
        ticket=ticket,
        defaults={"via": LinkVia.AGENT, "linked_at": now, "linked_by": actor},
    )
    VendorIncident.objects.filter(pk=incident.pk, material_at__isnull=False).update(
        tickets_due_at=now
    )
    return link
