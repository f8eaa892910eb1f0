"""mail 0003: rows stored under the old keys (the Message-ID) get the content identity."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from operant.mail.identity import content_identity
from operant.mail.models import InboundMessage
from tests.mail.test_pipeline import NOW, mail

pytestmark = pytest.mark.django_db

migration = importlib.import_module("operant.mail.migrations.0003_content_identity")


def old_row(raw: bytes, key: str) -> InboundMessage:
    return InboundMessage.objects.create(
        dedupe_key=key, raw=raw, size=len(raw), channel="file", received_at=NOW
    )


def test_old_rows_get_the_content_identity_and_their_message_id() -> None:
    with_id = old_row(mail(), "m1@acme-dental.example")
    without_id = mail(message_id=None)
    no_id = old_row(without_id, "sha256-oldbyteshash@operant.invalid")
    # The same mail stored twice before (no Message-ID, another hop's bytes): both rows stay.
    again = old_row(b"Received: from mx.example\n" + without_id, "sha256-other@operant.invalid")

    migration.recompute_keys(apps, None)

    with_id.refresh_from_db()
    assert with_id.dedupe_key == content_identity(mail())
    assert with_id.message_id == "m1@acme-dental.example"
    no_id.refresh_from_db()
    assert no_id.dedupe_key == content_identity(without_id)
    assert no_id.message_id == f"sha256-{no_id.dedupe_key}@operant.invalid"
    again.refresh_from_db()
    assert again.dedupe_key == f"{no_id.dedupe_key}:{again.pk}"
    assert again.message_id == no_id.message_id
