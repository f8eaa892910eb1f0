"""The standard integration catalog and service packages Operant sells.

Seeded by migration 0002 so a fresh database can already answer `operant packages list`, and by
the test fixtures after a transactional test has flushed the tables. ``catalog_seed`` takes the
model classes as arguments so the migration can pass its historical models: if these models gain
a field the seed must set, freeze a copy of this module into a new migration instead of editing
what 0002 runs.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

# key, name, vendor_key (a policy [[vendors]].key; blank when no third party is involved)
INTEGRATIONS: list[tuple[str, str, str]] = [
    ("twilio_sms", "Twilio SMS", "twilio"),
    ("twilio_voice", "Twilio Voice", "twilio"),
    ("instagram_messaging", "Instagram messaging", "meta"),
    ("whatsapp", "WhatsApp messaging", "meta"),
    ("webhooks", "Custom webhooks", ""),
]

PACKAGES: list[dict[str, Any]] = [
    {
        "key": "starter",
        "name": "Starter",
        "monthly_retainer": Decimal("300.00"),
        "currency": "USD",
        "integrations": ["twilio_sms"],
        "description": "Hosted SMS automations: reminders, confirmations and two-way replies.",
    },
    {
        "key": "growth",
        "name": "Growth",
        "monthly_retainer": Decimal("600.00"),
        "currency": "USD",
        "integrations": ["twilio_sms", "twilio_voice"],
        "description": "SMS plus voice: call routing, missed-call text-back and voicemail flows.",
    },
    {
        "key": "omnichannel",
        "name": "Omnichannel",
        "monthly_retainer": Decimal("1200.00"),
        "currency": "USD",
        "integrations": ["twilio_sms", "twilio_voice", "instagram_messaging"],
        "description": "SMS, voice and Instagram direct-message automations under one retainer.",
    },
]


def catalog_seed(integration_model: Any, package_model: Any) -> None:
    """Create or update the standard rows; running it again changes nothing."""
    by_key = {}
    for key, name, vendor_key in INTEGRATIONS:
        by_key[key], _ = integration_model.objects.update_or_create(
            key=key, defaults={"name": name, "vendor_key": vendor_key}
        )
    for spec in PACKAGES:
        fields = {k: v for k, v in spec.items() if k not in ("key", "integrations")}
        package, _ = package_model.objects.update_or_create(key=spec["key"], defaults=fields)
        package.integrations.set([by_key[key] for key in spec["integrations"]])
