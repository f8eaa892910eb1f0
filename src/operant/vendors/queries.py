"""Who a vendor incident affects (clause 05), in a number of queries that does not grow with
the number of clients."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from operant.accounts.models import Client, Integration, ServicePackage
from operant.monitoring.models import Workflow
from operant.vendors.models import VendorIncident


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


def incident_affected_workflows(*, incident: VendorIncident) -> QuerySet[Workflow]:
    """The registered workflows using one of the incident's integrations."""
    return (
        Workflow.objects.filter(integrations__vendor_incidents=incident)
        .distinct()
        .select_related("client")
        .order_by("client__slug", "name")
    )
