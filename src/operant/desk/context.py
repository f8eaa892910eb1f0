"""What the classifier must know of a client: its package's integrations and the catalog."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from operant.accounts.models import Integration, ServicePackage
from operant.desk.classify import ClientContext, IntegrationInfo

if TYPE_CHECKING:
    from operant.accounts.models import Client
    from operant.policy.schema import Policy


def client_contexts(clients: Iterable[Client], policy: Policy) -> dict[int, ClientContext]:
    """The classifier's context for each client's package, by package key: two queries
    however many clients (the catalog, and which of it the packages include)."""
    packages = {client.package_id: client.package for client in clients}
    if not packages:
        return {}
    catalog = [
        (i.pk, IntegrationInfo(key=i.key, name=i.name, vendor_key=i.vendor_key))
        for i in Integration.objects.all()  # in the catalog's own order
    ]
    included: dict[int, set[int]] = {pk: set() for pk in packages}
    for package_id, integration_id in ServicePackage.integrations.through.objects.filter(
        servicepackage_id__in=list(packages)
    ).values_list("servicepackage_id", "integration_id"):
        included[package_id].add(integration_id)
    return {
        package_id: ClientContext(
            included=tuple(info for pk, info in catalog if pk in included[package_id]),
            catalog=tuple(info for _, info in catalog),
            out_of_scope_keys=tuple(category.key for category in policy.out_of_scope),
            minor_request_limit_minutes=policy.allowance.minor_request_limit_minutes,
            package_name=package.name,
        )
        for package_id, package in packages.items()
    }


def client_context(client: Client | None, policy: Policy) -> ClientContext | None:
    """``client_contexts`` for one client (None for an unknown sender)."""
    if client is None:
        return None
    return client_contexts([client], policy)[client.package_id]
