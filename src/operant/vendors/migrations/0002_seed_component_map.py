"""Seed the component map for the policy's vendors (Twilio, Meta).

A frozen copy of the rows, not an import of ``vendors.services.SEED_MAP``: a later edit of the
seed must not change what this migration did.
"""

from typing import Any

from django.db import migrations

ROWS = [
    ("twilio", "PROGRAMMABLE MESSAGING", "twilio_sms"),
    ("twilio", "PROGRAMMABLE VOICE", "twilio_voice"),
    ("meta", "Instagram", "instagram_messaging"),
    ("meta", "WhatsApp Business Platform", "whatsapp"),
]


def seed(apps: Any, schema_editor: Any) -> None:
    integration_model = apps.get_model("accounts", "Integration")
    mapping_model = apps.get_model("vendors", "ComponentMapping")
    integrations = {i.key: i for i in integration_model.objects.all()}
    for vendor_key, component, key in ROWS:
        if key in integrations:  # the catalog seed (accounts 0002) made them
            mapping_model.objects.get_or_create(
                vendor_key=vendor_key, component=component, integration=integrations[key]
            )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_seed_catalog"),
        ("vendors", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
