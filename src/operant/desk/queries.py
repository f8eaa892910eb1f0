"""Read helpers for the agent console: the inbox queue, a ticket's page, the people to pick;
and what a client may read of its own tickets (the portal and the client API ask here).

Nothing here changes a row or decides anything the policy decides; these are the querysets the
pages read, shaped so that a page costs the same number of queries whatever its row count
(select_related for the foreign keys a row shows, prefetches for the lists a page shows).
"""

from __future__ import annotations

from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Greatest

from operant.accounts.models import Client, User
from operant.desk.models import (
    CLIENT_VISIBLE_KINDS,
    Attachment,
    ClockPause,
    ClockState,
    Message,
    Ticket,
    TicketEvent,
    TicketState,
)

INBOX_PAGE_SIZE = 50

# A clock is counting down while nobody has answered yet and it is not paused. A breached clock
# still counts (into "overdue"): the client is still waiting, and that ticket is the most due.
AWAITING_RESPONSE = Q(first_response_at__isnull=True, target_at__isnull=False) & Q(
    clock_state__in=[ClockState.RUNNING, ClockState.BREACHED]
)
# The front of the queue: open tickets whose clock is counting down.
DUE = Q(state=TicketState.OPEN) & AWAITING_RESPONSE


def inbox_tickets() -> QuerySet[Ticket]:
    """Every ticket in queue order, with what an inbox row shows joined in.

    Order:
    1. Open tickets whose clock counts down, soonest (or most overdue) target first; on the
       same target (targets are often "close of business"), first come, first served.
    2. Every other ticket, most recent activity first.
    3. Newest ticket first as the last tie-break, so pages never shuffle between requests.
    """
    return (
        Ticket.objects.select_related("client", "assignee")
        .annotate(
            due_rank=Case(When(DUE, then=Value(0)), default=Value(1), output_field=IntegerField()),
            # Only rank-0 rows sort by target; the others must not, whatever their target says.
            due_target=Case(When(DUE, then=F("target_at")), default=None),
            due_received=Case(When(DUE, then=F("received_at")), default=None),
            # Replies and notes move updated_at, mail moves last_message_at: either is activity.
            last_activity=Greatest("updated_at", "last_message_at"),
            counting_down=ExpressionWrapper(AWAITING_RESPONSE, output_field=BooleanField()),
        )
        .order_by(
            "due_rank",
            F("due_target").asc(nulls_last=True),
            F("due_received").asc(nulls_last=True),
            F("last_activity").desc(),
            "-pk",
        )
    )


def inbox_filter(
    tickets: QuerySet[Ticket],
    *,
    request_class: str = "",
    client: Client | None = None,
    state: str = "",
    unmatched: bool = False,
    flagged: bool = False,
    assignee: User | None = None,
) -> QuerySet[Ticket]:
    """Narrow the queue; an empty or false argument does not filter."""
    if request_class:
        tickets = tickets.filter(request_class=request_class)
    if client is not None:
        tickets = tickets.filter(client=client)
    if state:
        tickets = tickets.filter(state=state)
    if unmatched:
        tickets = tickets.filter(client__isnull=True)
    if flagged:
        tickets = tickets.filter(flagged=True)
    if assignee is not None:
        tickets = tickets.filter(assignee=assignee)
    return tickets


def ticket_page(pk: int) -> Ticket | None:
    """One ticket with everything its page header and side panels show."""
    return (
        Ticket.objects.select_related("client", "contact", "assignee", "policy_version")
        # The policy's full text is stored on its version row; the page needs only the name.
        .defer("policy_version__text")
        .annotate(counting_down=ExpressionWrapper(AWAITING_RESPONSE, output_field=BooleanField()))
        .filter(pk=pk)
        .first()
    )


def attachments_listed() -> QuerySet[Attachment]:
    """Attachments without their bytes, marked ``stored`` when the content was kept."""
    return (
        Attachment.objects.defer("content")
        .annotate(stored=ExpressionWrapper(Q(content__isnull=False), output_field=BooleanField()))
        .order_by("pk")
    )


def ticket_conversation(ticket: Ticket) -> QuerySet[Message]:
    """The ticket's messages, oldest first, with authors and attachment lists joined in."""
    return (
        ticket.messages.select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=attachments_listed()))
        .order_by("created_at", "pk")
    )


def ticket_history(ticket: Ticket) -> QuerySet[TicketEvent]:
    return (
        ticket.events.select_related("actor", "policy_version")
        .defer("policy_version__text")
        .order_by("at", "pk")
    )


def ticket_pauses(ticket: Ticket) -> QuerySet[ClockPause]:
    return ticket.pauses.order_by("started_at", "pk")


def tickets_signals(ticket_ids: list[int]) -> dict[int, set[str]]:
    """The classifier's machine signals ("integration:twilio_sms", "outage") of each ticket's
    classification, by ticket key: one query however many tickets."""
    found: dict[int, set[str]] = {}
    events = TicketEvent.objects.filter(ticket_id__in=ticket_ids, kind="classified")
    for ticket_id, data in events.values_list("ticket_id", "data"):
        found.setdefault(ticket_id, set()).update((data or {}).get("signals") or ())
    return found


def staff_users() -> QuerySet[User]:
    """People a ticket can be assigned to."""
    return User.objects.filter(is_active=True, role__in=User.STAFF_ROLES).order_by(
        "first_name", "last_name", "email"
    )


# --- what a client sees -------------------------------------------------------------------------


def client_tickets(client: Client) -> QuerySet[Ticket]:
    """The client's own tickets: the only tickets a client's contact may find."""
    return Ticket.objects.filter(client=client)


def client_conversation(ticket: Ticket) -> QuerySet[Message]:
    """What a client may read of its ticket, oldest first: no internal notes."""
    return (
        ticket.messages.filter(kind__in=CLIENT_VISIBLE_KINDS)
        .select_related("author")
        .order_by("created_at", "pk")
    )
