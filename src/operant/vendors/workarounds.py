"""Workarounds (clause 05): what clients can do while a vendor is down. An agent writes an
incident's workaround starting from its integrations' templates (editable rows, seeded here);
each change is recorded in the incident's timeline and sent to the affected clients."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction

from operant.accounts.models import Integration
from operant.vendors.errors import VendorsError
from operant.vendors.incidents import incident_update_append
from operant.vendors.models import VendorIncident, WorkaroundTemplate

if TYPE_CHECKING:
    from operant.accounts.models import User

# Seeded templates (migration 0004 and the test fixtures): integration key, text. An agent
# edits the rows; seeding again never overwrites an edit.
WORKAROUND_SEED: list[tuple[str, str]] = [
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
GENERIC = (
    "The affected service may be slow or unavailable. Reach customers who need an answer by "
    "phone or email until this is resolved."
)
MAX_LENGTH = 5000


def workaround_templates_seed() -> int:
    """Create the seeded templates missing; how many were created."""
    integrations = {i.key: i for i in Integration.objects.all()}
    created = 0
    for key, text in WORKAROUND_SEED:
        if key in integrations:
            _, made = WorkaroundTemplate.objects.get_or_create(
                integration=integrations[key], defaults={"text": text}
            )
            created += made
    return created


def incident_workaround_prefill(incident: VendorIncident) -> str:
    """The incident's workaround, or the text an agent starts from: the templates of its
    integrations, each once, in integration order."""
    if incident.workaround:
        return incident.workaround
    texts = list(
        WorkaroundTemplate.objects.filter(integration__vendor_incidents=incident)
        .order_by("integration__key")
        .values_list("text", flat=True)
    )
    return "\n\n".join(dict.fromkeys(texts)) or GENERIC


def incident_workaround_set(
    *, incident: VendorIncident, text: str, now: datetime, author: User | None = None
) -> VendorIncident:
    """Set the workaround clients are told; a change is a timeline entry and a new notice."""
    text = text.strip().replace("\r\n", "\n")
    if not text:
        raise VendorsError("a workaround needs some text")
    if len(text) > MAX_LENGTH:
        raise VendorsError(f"a workaround is at most {MAX_LENGTH} characters, got {len(text)}")
    if incident.resolved_at is not None:
        raise VendorsError(f"incident {incident.pk} is resolved: no workaround to tell")
    if text == incident.workaround:
        return incident
    with transaction.atomic():
        incident_update_append(
            incident=incident, status=incident.status, body=f"Workaround: {text}",
            posted_at=now, now=now, author=author,
        )  # fmt: skip
        incident.workaround = text
        incident.workaround_updated_at = now
        incident.updated_at = now
        incident.notices_due_at = now
        incident.save(
            update_fields=["workaround", "workaround_updated_at", "updated_at", "notices_due_at"]
        )
    return incident
