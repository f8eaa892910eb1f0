"""Seed the workaround templates of the standard integrations.

A frozen copy of the rows, not an import of ``vendors.workarounds.WORKAROUND_SEED``: a later
edit of the seed must not change what this migration did.
"""

from typing import Any

from django.db import migrations

ROWS = [
    (
        "twilio_sms",
        "Text messages may arrive late or not at all. Messages your automations send are "
        "retried; for anything urgent (a same-day appointment, a payment), call or email the "
        "customer instead of relying on a text until this is resolved.",
    ),
    (
        "twilio_voice",
        "Calls to your automated number may fail or drop. Put your direct line or a mobile "
        "number on your website and voicemail greeting, and call back missed callers by hand "
        "until this is resolved.",
    ),
    (
        "instagram_messaging",
        "Instagram direct messages may not reach your automations, so automatic replies may "
        "not go out. Check your Instagram inbox in the app a few times a day and answer there "
        "until this is resolved.",
    ),
    (
        "whatsapp",
        "WhatsApp messages may be delayed or not delivered. Reach customers who need an answer "
        "by phone or email until this is resolved.",
    ),
]


def seed(apps: Any, schema_editor: Any) -> None:
    integration_model = apps.get_model("accounts", "Integration")
    template_model = apps.get_model("vendors", "WorkaroundTemplate")
    integrations = {i.key: i for i in integration_model.objects.all()}
    for key, text in ROWS:
        if key in integrations:  # the catalog seed (accounts 0002) made them
            template_model.objects.get_or_create(
                integration=integrations[key], defaults={"text": text}
            )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_seed_catalog"),
        ("vendors", "0003_notices_and_pauses"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
