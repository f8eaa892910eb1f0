"""What the classifier must know of a client: its package's integrations, the catalog, and the
evidence higher apps observed about its workflows."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from operant.accounts.models import Integration, ServicePackage
from operant.desk.classify import ClientContext, IntegrationInfo, WorkflowEvidence

if TYPE_CHECKING:
    from operant.accounts.models import Client
    from operant.policy.schema import Policy

# Apps above the desk (monitoring: configuration drift) tell the classifier what they observed
# about clients' workflows. A provider gets the client keys of a batch and returns evidence by
# client key: one call per batch, so routing a batch of mail costs a provider one lookup.
EvidenceProvider = Callable[[list[int]], dict[int, list[WorkflowEvidence]]]
_evidence_providers: list[EvidenceProvider] = []


def register_evidence_provider(provider: EvidenceProvider) -> None:
    """Called from a higher app's ``AppConfig.ready``; registering twice is harmless."""
    if provider not in _evidence_providers:
        _evidence_providers.append(provider)


def _evidence(client_ids: list[int]) -> dict[int, tuple[WorkflowEvidence, ...]]:
    found: dict[int, list[WorkflowEvidence]] = {}
    if client_ids:
        for provider in _evidence_providers:
            for client_id, items in provider(client_ids).items():
                found.setdefault(client_id, []).extend(items)
    return {client_id: tuple(items) for client_id, items in found.items()}


def client_contexts(clients: Iterable[Client], policy: Policy) -> dict[int, ClientContext]:
    """The classifier's context for each client, by client key: two queries for the package
    coverage however many clients (decided by the accounts app), plus one per evidence
    provider."""
    clients = list(clients)
    packages = {client.package_id: client.package for client in clients}
    coverage = ServicePackage.coverage_of(packages)
    evidence = _evidence(sorted({client.pk for client in clients}))
    out_of_scope_keys = tuple(category.key for category in policy.out_of_scope)
    by_package = {
        package_id: (
            tuple(_info(i) for i in coverage[package_id].included),
            tuple(_info(i) for i in coverage[package_id].catalog),
            package.name,
        )
        for package_id, package in packages.items()
    }
    contexts = {}
    for client in clients:
        included, catalog, package_name = by_package[client.package_id]
        contexts[client.pk] = ClientContext(
            included=included,
            catalog=catalog,
            out_of_scope_keys=out_of_scope_keys,
            minor_request_limit_minutes=policy.allowance.minor_request_limit_minutes,
            package_name=package_name,
            evidence=evidence.get(client.pk, ()),
        )
    return contexts


def _info(integration: Integration) -> IntegrationInfo:
    return IntegrationInfo(
        key=integration.key, name=integration.name, vendor_key=integration.vendor_key
    )


def client_context(client: Client | None, policy: Policy) -> ClientContext | None:
    """``client_contexts`` for one client (None for an unknown sender)."""
    if client is None:
        return None
    return client_contexts([client], policy)[client.pk]
