"""Filing a ticket under a client by hand.

Mail from an address no client owns opens an *unmatched* ticket. An agent who recognises the
sender files it here. This is the only path that sets or changes a ticket's client once the
ticket exists, so every change of owner is on the ticket's history with who made it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction

from operant.desk.models import Ticket, TicketEvent
from operant.desk.services import TicketError

if TYPE_CHECKING:
    from operant.accounts.models import Client, User


def ticket_assign_client(*, ticket: Ticket, client: Client, actor: User, now: datetime) -> Ticket:
    """Set the ticket's client and record it.

    1. Lock the ticket, so two agents filing it at once cannot both think they won.
    2. Refuse a no-op: the agent probably picked the wrong ticket or the wrong client.
    3. Drop the contact if it belongs to another client: a ticket must never point at a
       person of a client it is not filed under (the contact would see it in their portal).
    4. Recompute nothing else. Classification and clock stay as they are; the agent decides
       whether the client's package changes the class, and reclassifies if so.
    """
    if not actor.is_agent:
        raise TicketError("only Operant staff can file a ticket under a client")
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.client_id == client.pk:
            raise TicketError(f"{ticket.ref} is already filed under {client.name}")
        before = ticket.client.slug if ticket.client_id else None
        ticket.client = client
        fields = ["client", "updated_at"]
        dropped_contact = None
        if ticket.contact_id is not None and ticket.contact.client_id != client.pk:
            dropped_contact = ticket.contact.email
            ticket.contact = None
            fields.append("contact")
        ticket.updated_at = now
        ticket.save(update_fields=fields)
        TicketEvent.objects.create(
            ticket=ticket,
            kind="client_assigned",
            at=now,
            actor=actor,
            data={"from": before, "to": client.slug, "dropped_contact": dropped_contact},
        )
    return ticket
