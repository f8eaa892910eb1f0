"""Read-side queries of monitoring: the board's rows, recent signals, tickets and the work that
produced each version. Shared by the console, the portal, the API and the CLI."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db.models import Case, Count, Max, OuterRef, Q, QuerySet, Subquery, Value, When

from operant.accounts.models import Client
from operant.allowance.models import EntryKind, TimeEntry
from operant.desk.models import Ticket, TicketState
from operant.monitoring.errors import MonitoringError
from operant.monitoring.models import (
    Downtime,
    RejectedRequest,
    Signal,
    Workflow,
    WorkflowState,
    WorkflowVersion,
)

# The board's little timeline: this many of each workflow's latest signals.
TIMELINE_SIGNALS = 20
REJECTED_WINDOW = timedelta(hours=24)


def client_by_slug(slug: str) -> Client:
    client = Client.objects.filter(slug=slug.strip()).first()
    if client is None:
        raise MonitoringError(f"no client with slug {slug!r}")
    return client


# What needs a look first: broken, then about to break, then the rest.
STATE_ORDER = [
    WorkflowState.DOWN,
    WorkflowState.LATE,
    WorkflowState.UP,
    WorkflowState.NEW,
    WorkflowState.PAUSED,
]


def workflow_rows() -> QuerySet[Workflow]:
    """Workflows with what a row shows loaded in a fixed number of queries: the client, the
    outage ticket, integrations, identifiers and the current version's number; down ones
    first, then late ones, then by client and name."""
    rank = Case(
        *(When(state=state, then=Value(n)) for n, state in enumerate(STATE_ORDER)),
        default=Value(len(STATE_ORDER)),
    )
    return (
        Workflow.objects.select_related("client", "outage_ticket")
        .prefetch_related("integrations", "identifiers")
        .annotate(current_version=Max("versions__number"), state_rank=rank)
        .order_by("state_rank", "client__name", "name", "pk")
    )


def workflows_matching(
    *, client: Client | None = None, platform: str = "", state: str = ""
) -> QuerySet[Workflow]:
    """``workflow_rows`` narrowed by each filter given (they combine with AND)."""
    rows = workflow_rows()
    if client is not None:
        rows = rows.filter(client=client)
    if platform:
        rows = rows.filter(platform=platform)
    if state:
        rows = rows.filter(state=state)
    return rows


def workflow_state_counts() -> dict[str, int]:
    """How many workflows are in each state, over every client (the public status page shows
    only these totals): every state present, zero included, in ``STATE_ORDER``."""
    counts = dict(
        Workflow.objects.order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return {state.value: counts.get(state.value, 0) for state in STATE_ORDER}


def open_outage_ticket(workflow: Workflow) -> Ticket | None:
    """The outage ticket monitoring filed for the workflow, while it is not solved."""
    ticket = workflow.outage_ticket
    if ticket is None or ticket.state == TicketState.SOLVED:
        return None
    return ticket


def recent_signals(
    workflows: Iterable[Workflow], *, count: int = TIMELINE_SIGNALS
) -> dict[int, list[Signal]]:
    """Each workflow's latest ``count`` signals, oldest first, in two queries.

    1. For each workflow, the time of its ``count``-th latest signal (an indexed lookup each).
    2. The signals at or after that time, one indexed range per workflow; a workflow with
       fewer signals contributes all of them. A signal log of millions is never scanned.
    """
    ids = [workflow.pk for workflow in workflows]
    if not ids:
        return {}
    nth = Signal.objects.filter(workflow=OuterRef("pk")).order_by("-at", "-pk").values("at")
    cutoffs = Workflow.objects.filter(pk__in=ids).annotate(cutoff=Subquery(nth[count - 1 : count]))
    condition = Q()
    for pk, cutoff in cutoffs.values_list("pk", "cutoff"):
        condition |= Q(workflow_id=pk, at__gte=cutoff) if cutoff else Q(workflow_id=pk)
    found: dict[int, list[Signal]] = {pk: [] for pk in ids}
    rows = Signal.objects.filter(condition).defer("body", "detail").order_by("-at", "-pk")
    for signal in rows:
        if len(found[signal.workflow_id]) < count:  # ties at the cutoff time
            found[signal.workflow_id].append(signal)
    return {pk: signals[::-1] for pk, signals in found.items()}


def rejected_recently(*, now: datetime) -> int:
    """Provider requests refused as forged, unsigned or stale in the last 24 hours."""
    return RejectedRequest.objects.filter(at__gt=now - REJECTED_WINDOW).count()


def workflow_versions(workflow: Workflow) -> QuerySet[WorkflowVersion]:
    """Newest first, with the author, the ticket and the time entry that produced each."""
    return workflow.versions.select_related("author", "ticket", "time_entry").order_by("-number")


def workflow_downtimes(workflow: Workflow) -> QuerySet[Downtime]:
    return workflow.downtimes.select_related("ticket").order_by("-started_at")


def workflow_tickets(workflow: Workflow) -> list[Ticket]:
    """Its tickets: the outage tickets monitoring filed, and those its versions came from,
    newest first and each once."""
    ids = set(workflow.downtimes.exclude(ticket=None).values_list("ticket_id", flat=True))
    ids |= set(workflow.versions.exclude(ticket=None).values_list("ticket_id", flat=True))
    if workflow.outage_ticket_id:
        ids.add(workflow.outage_ticket_id)
    return list(Ticket.objects.filter(pk__in=ids).order_by("-created_at", "-pk"))


def adjustments_bought(
    *, client: Client, month: date
) -> list[tuple[TimeEntry, list[WorkflowVersion]]]:
    """The month's live minor adjustments of the client (clause 01 allowance), oldest first,
    each with the workflow versions it produced: "what did my 30 minutes buy".

    Two queries whatever the month holds: the versions are found by the same conditions
    through their entry, not by a list of entry ids."""
    live = {
        "client": client,
        "month": month,
        "kind": EntryKind.ADJUSTMENT,
        "deleted_at__isnull": True,
    }
    entries = list(
        TimeEntry.objects.filter(**live).select_related("ticket").order_by("work_date", "pk")
    )
    found: dict[int, list[WorkflowVersion]] = {entry.pk: [] for entry in entries}
    versions = (
        WorkflowVersion.objects.filter(**{f"time_entry__{key}": v for key, v in live.items()})
        .select_related("workflow")
        .order_by("created_at", "pk")
    )
    for version in versions:
        found.setdefault(version.time_entry_id, []).append(version)  # type: ignore[arg-type]
    return [(entry, found[entry.pk]) for entry in entries]
