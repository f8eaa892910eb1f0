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
    however many clients (the package coverage, decided by the accounts app)."""
    packages = {client.package_id: client.package for client in clients}
    coverage = ServicePackage.coverage_of(packages)
    return {
        package_id: ClientContext(
            included=tuple(_info(i) for i in coverage[package_id].included),
            catalog=tuple(_info(i) for i in coverage[package_id].catalog),
            out_of_scope_keys=tuple(category.key for category in policy.out_of_scope),
            minor_request_limit_minutes=policy.allowance.minor_request_limit_minutes,
            package_name=package.name,
        )
        for package_id, package in packages.items()
    }


def _info(integration: Integration) -> IntegrationInfo:
    return IntegrationInfo(
        key=integration.key, name=integration.name, vendor_key=integration.vendor_key
    )


def client_context(client: Client | None, policy: Policy) -> ClientContext | None:
    """``client_contexts`` for one client (None for an unknown sender)."""
    if client is None:
        return None
    return client_contexts([client], policy)[client.package_id]
