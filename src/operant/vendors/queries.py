"""Who a vendor incident affects (clause 05), in a number of queries that does not grow with
the number of clients."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)

from operant.accounts.models import (
    Client,
    Contact,
    Integration,
    ServicePackage,
    notice_addresses_of,
)
from operant.desk.models import Ticket, TicketState
from operant.monitoring.models import Workflow
from operant.policy.schema import Disruptions
from operant.vendors.adapters.base import ComponentReading
from operant.vendors.apply import Mapper
from operant.vendors.disruption import incident_awaits_approval, material_from
from operant.vendors.models import (
    UNCONFIRMED,
    ComponentStatus,
    IncidentNotice,
    IncidentTicket,
    IncidentUpdate,
    NoticeKind,
    VendorFeed,
    VendorIncident,
)


def affected_clients_q(integrations: list[Integration]) -> Q:
    """The one rule: a client is affected through integration I when its package includes I,
    and either a workflow of its uses I or none of its workflows uses any integration of I's
    vendor (the registry does not know how it uses that vendor, so the package decides)."""
    included = ServicePackage.integrations.through.objects.filter(
        servicepackage_id=OuterRef("package_id")
    )
    workflows = Workflow.objects.filter(client_id=OuterRef("pk"))
    rule = Q(pk__in=[])
    for integration in integrations:
        uses_it = Exists(workflows.filter(integrations=integration.pk))
        if integration.vendor_key:
            knows_vendor = Exists(workflows.filter(integrations__vendor_key=integration.vendor_key))
        else:
            knows_vendor = Exists(workflows.filter(integrations=integration.pk))
        rule |= Exists(included.filter(integration_id=integration.pk)) & (uses_it | ~knows_vendor)
    return rule


def incident_affected_clients(*, incident: VendorIncident) -> QuerySet[Client]:
    """Exactly the clients the incident affects: two queries whatever their number (its
    integrations, then the clients)."""
    return Client.objects.filter(affected_clients_q(list(incident.integrations.all()))).order_by(
        "slug"
    )


@dataclass(frozen=True)
class Recipient:
    """What a notice to one client needs, read as values: building thousands of Client and
    Contact instances (and prefetching through them) cost more than the notices themselves."""

    pk: int
    name: str
    timezone: str
    package_integrations: frozenset[int]
    addresses: list[str]


def notice_recipients(clients: QuerySet[Client]) -> list[Recipient]:
    """``clients`` with their notice addresses (``accounts.models.notice_addresses_of``, the
    one rule, fed from value rows) and their packages' integrations: three queries."""
    rows = list(clients.values_list("pk", "name", "timezone", "package_id", "billing_email"))
    emails: dict[int, list[str]] = {}
    for client_id, email in Contact.objects.filter(client__in=clients).values_list(
        "client_id", "email"
    ):
        emails.setdefault(client_id, []).append(email)
    packages: dict[int, set[int]] = {}
    for package_id, integration_id in ServicePackage.integrations.through.objects.filter(
        servicepackage_id__in={row[3] for row in rows}
    ).values_list("servicepackage_id", "integration_id"):
        packages.setdefault(package_id, set()).add(integration_id)
    return [
        Recipient(
            pk=pk,
            name=name,
            timezone=zone,
            package_integrations=frozenset(packages.get(package_id, ())),
            addresses=notice_addresses_of(emails.get(pk, []), billing),
        )
        for pk, name, zone, package_id, billing in rows
    ]


def incident_affected_workflows(*, incident: VendorIncident) -> QuerySet[Workflow]:
    """The registered workflows using one of the incident's integrations."""
    return (
        Workflow.objects.filter(integrations__vendor_incidents=incident)
        .distinct()
        .select_related("client")
        .order_by("client__slug", "name")
    )


# ---- pages: the console's incident pages, the status page, the portal's status ------------


def incident_rows(
    *, open_only: bool = False, confirmed_only: bool = False
) -> QuerySet[VendorIncident]:
    """Incidents, open ones first, then the most recent; integrations loaded in one query.
    ``confirmed_only`` for whatever clients or visitors read: monitoring's suspicions (and
    the dismissed ones) are for agents."""
    rows = VendorIncident.objects.prefetch_related("integrations")
    if confirmed_only:
        rows = rows.exclude(status__in=UNCONFIRMED)
    if open_only:
        rows = rows.filter(resolved_at__isnull=True)
    return rows.order_by(F("resolved_at").desc(nulls_first=True), "-started_at", "-pk")


def incident_timeline(*, incident: VendorIncident) -> QuerySet[IncidentUpdate]:
    return incident.updates.select_related("author").order_by("posted_at", "pk")


def incidents_with_latest_update(incidents: QuerySet[VendorIncident]) -> list[VendorIncident]:
    """The incidents, each with ``latest_update`` (or None): two queries however many."""
    newest_first = Prefetch(
        "updates", queryset=IncidentUpdate.objects.order_by("-posted_at", "-pk"), to_attr="newest"
    )
    rows = list(incidents.prefetch_related(newest_first))
    for incident in rows:
        incident.latest_update = incident.newest[0] if incident.newest else None
    return rows


def incident_open_tickets(*, incident: VendorIncident) -> QuerySet[Ticket]:
    """The affected clients' tickets not solved yet: what an agent looks through first."""
    return (
        Ticket.objects.filter(client__in=incident_affected_clients(incident=incident))
        .exclude(state=TicketState.SOLVED)
        .select_related("client")
        .order_by("client__slug", "-pk")
    )


@dataclass(frozen=True)
class NoticeState:
    """Where an incident's notices stand, for the agent deciding what to do next."""

    material_at: datetime | None
    # When it becomes material if it stays as it is; None while milder than the policy asks.
    material_from: datetime | None
    awaits_approval: bool
    # One row per message sent: version, kind, first_at, clients.
    messages: list[dict[str, object]]


def incident_notice_state(*, incident: VendorIncident, terms: Disruptions) -> NoticeState:
    """Two queries at most however many clients were told (one aggregate over the notices)."""
    messages = list(
        IncidentNotice.objects.filter(incident=incident)
        .values("version", "kind")
        .annotate(clients=Count("pk"), first_at=Min("created_at"))
        .order_by("version")
    )
    for message in messages:
        message["label"] = NoticeKind(message["kind"]).label
    return NoticeState(
        material_at=incident.material_at,
        material_from=material_from(incident, terms),
        awaits_approval=incident_awaits_approval(incident, terms),
        messages=messages,
    )


def incident_notices_told(*, incident: VendorIncident) -> QuerySet[IncidentNotice]:
    """Which client was told which message, by client then message (the caller pages it)."""
    return (
        IncidentNotice.objects.filter(incident=incident)
        .select_related("client")
        .order_by("client__slug", "version")
    )


def incident_ticket_links(*, incident: VendorIncident) -> QuerySet[IncidentTicket]:
    """The tickets linked to the incident (by the worker or an agent), with their clocks."""
    return (
        IncidentTicket.objects.filter(incident=incident)
        .select_related("ticket__client", "linked_by")
        .order_by("-linked_at", "-pk")
    )


def client_affecting_integrations(*, client: Client) -> set[int]:
    """The integrations through which a vendor incident would affect the client: the same
    rule as ``affected_clients_q``, asked once per integration of its package, in one query."""
    package = list(Integration.objects.filter(packages=client.package_id))
    if not package:
        return set()
    flags = {
        f"i{integration.pk}": ExpressionWrapper(
            affected_clients_q([integration]), output_field=BooleanField()
        )
        for integration in package
    }
    row = Client.objects.filter(pk=client.pk).values(**flags).first() or {}
    return {integration.pk for integration in package if row.get(f"i{integration.pk}")}


def client_incidents(*, client: Client, resolved_since: datetime) -> QuerySet[VendorIncident]:
    """The incidents affecting the client: open ones, and those resolved since the instant."""
    return (
        incident_rows(confirmed_only=True)
        .filter(integrations__in=client_affecting_integrations(client=client))
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=resolved_since))
        .distinct()
    )


def feed_rows() -> QuerySet[VendorFeed]:
    """Every feed with what agents check first: failing ones, then by vendor."""
    return VendorFeed.objects.order_by("-consecutive_failures", "vendor_key", "url")


def _reading(row: ComponentStatus) -> ComponentReading:
    return ComponentReading(
        id=row.component_id,
        name=row.name,
        status=row.status,
        group_name=row.group_name,
        is_group=row.is_group,
    )


def vendor_mapped_components(*, vendor_key: str) -> list[ComponentStatus]:
    """The components of the vendor's feeds that one of our integrations runs on (the
    component map decides, as it does for incidents)."""
    mapper = Mapper.of_vendor(vendor_key)
    rows = ComponentStatus.objects.filter(feed__vendor_key=vendor_key).order_by(
        "group_name", "-is_group", "name", "pk"
    )
    return [row for row in rows if mapper.component(_reading(row))]
