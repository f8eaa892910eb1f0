"""Plain-data views of accounts rows: the JSON the CLI prints (a stable contract for scripts)."""

from __future__ import annotations

from typing import Any

from operant.accounts.models import Client, ServicePackage


def package_to_dict(package: ServicePackage) -> dict[str, Any]:
    return {
        "key": package.key,
        "name": package.name,
        # A string, not a float: money must survive a JSON round trip exactly.
        "monthly_retainer": str(package.monthly_retainer),
        "currency": package.currency,
        "integrations": package.integration_keys(),
        "description": package.description,
    }


def client_to_dict(client: Client) -> dict[str, Any]:
    return {
        "slug": client.slug,
        "name": client.name,
        "package": client.package.key,
        "timezone": client.timezone,
        "standing": client.standing,
        "billing_email": client.billing_email,
        # sorted() over .all() rather than order_by(), so a prefetched list is reused.
        "emails": sorted(contact.email for contact in client.contacts.all()),
        "domains": sorted(domain.domain for domain in client.domains.all()),
        "integrations": client.package.integration_keys(),
    }
