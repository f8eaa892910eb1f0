"""Vendor feeds and the component map: what an agent (or the CLI) sets up."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urlsplit

from django.db import transaction

from operant.accounts.models import Integration
from operant.vendors.errors import VendorsError
from operant.vendors.incidents import vendor_check, vendor_integrations
from operant.vendors.models import ComponentMapping, FeedKind, VendorFeed

# Seeded component map for the policy's vendors (migration 0002 and the test fixtures):
# vendor key, component or group name as the vendor's page spells it, integration key.
SEED_MAP: list[tuple[str, str, str]] = [
    ("twilio", "PROGRAMMABLE MESSAGING", "twilio_sms"),
    ("twilio", "PROGRAMMABLE VOICE", "twilio_voice"),
    ("meta", "Instagram", "instagram_messaging"),
    ("meta", "WhatsApp Business Platform", "whatsapp"),
]


def component_map_seed() -> int:
    """Create the seeded rows missing (an agent's edits stay); how many were created."""
    integrations = {i.key: i for i in Integration.objects.all()}
    created = 0
    for vendor_key, component, key in SEED_MAP:
        if key in integrations:
            _, made = ComponentMapping.objects.get_or_create(
                vendor_key=vendor_key, component=component, integration=integrations[key]
            )
            created += made
    return created


def mapping_parse(text: str) -> tuple[str, str]:
    """``COMPONENT=INTEGRATION`` (the component may contain spaces and '=' only before the
    last one)."""
    component, sep, integration = text.rpartition("=")
    if not sep or not component.strip() or not integration.strip():
        raise VendorsError(f"--map {text!r}: expected COMPONENT=INTEGRATION")
    return component.strip(), integration.strip()


def mappings_add(*, vendor_key: str, pairs: Iterable[tuple[str, str]]) -> list[ComponentMapping]:
    vendor_key = vendor_check(vendor_key)
    rows = []
    for component, key in pairs:
        (integration,) = vendor_integrations(vendor_key, [key])
        row, _ = ComponentMapping.objects.get_or_create(
            vendor_key=vendor_key, component=component[:200], integration=integration
        )
        rows.append(row)
    return rows


def _check_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise VendorsError(f"--url {url!r}: expected an http(s) URL")
    if len(url) > 500:
        raise VendorsError("--url: longer than 500 characters")
    return url.strip()


def feed_add(
    *,
    vendor_key: str,
    kind: str,
    url: str,
    now: datetime,
    mappings: Iterable[tuple[str, str]] = (),
    poll_seconds: int = 120,
) -> VendorFeed:
    """A feed to poll from now on, with component mappings for its vendor."""
    vendor_key = vendor_check(vendor_key)
    if kind not in FeedKind.values:
        raise VendorsError(f"unknown feed kind {kind!r}; expected one of {', '.join(FeedKind)}")
    url = _check_url(url)
    if not 30 <= poll_seconds <= 6 * 3600:
        raise VendorsError("the poll interval must be between 30 seconds and 6 hours")
    if VendorFeed.objects.filter(vendor_key=vendor_key, url=url).exists():
        raise VendorsError(f"{vendor_key} already has a feed at {url}")
    with transaction.atomic():
        feed = VendorFeed.objects.create(
            vendor_key=vendor_key,
            kind=kind,
            url=url,
            poll_seconds=poll_seconds,
            created_at=now,
            next_poll_at=now,
        )
        mappings_add(vendor_key=vendor_key, pairs=mappings)
    return feed
