"""Deduplicate inbound mail by content identity, keep the Message-ID for threading.

The dedupe key was the Message-ID, which dropped different mails that reuse one; it is now the
content identity (``operant.mail.identity``) and the Message-ID has a column of its own.

Existing rows get their keys from the current functions. Importing application code into a
migration ties it to that code's future; acceptable here because the project has no
deployments yet (nothing but development and test databases to migrate). Messages on tickets
keep the Message-ID they were stored with.
"""

from typing import Any

from django.db import migrations, models


def recompute_keys(apps: Any, schema_editor: Any) -> None:
    from operant.mail.parse import parse_message
    from operant.mail.receive import keys_for

    InboundMessage = apps.get_model("mail", "InboundMessage")
    taken: set[str] = set()
    for row in InboundMessage.objects.order_by("pk").iterator():
        raw = bytes(row.raw)
        keys = keys_for(raw, parse_message(raw))
        key = keys.dedupe_key
        # Two old rows may be one mail (without a Message-ID, differing only in transport
        # headers): both stay, the later one under a key of its own.
        if key in taken:
            key = f"{key}:{row.pk}"
        taken.add(key)
        row.dedupe_key = key
        row.message_id = keys.message_id
        row.save(update_fields=["dedupe_key", "message_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("mail", "0002_seen_webhook_token"),
    ]

    operations = [
        migrations.AddField(
            model_name="inboundmessage",
            name="message_id",
            field=models.CharField(blank=True, db_index=True, max_length=255, default=""),
            preserve_default=False,
        ),
        migrations.RunPython(recompute_keys, migrations.RunPython.noop),
    ]
