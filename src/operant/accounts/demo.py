"""Seed the demo agency through the same services the CLI and console use.

Idempotent: each row is looked up by its natural key (client slug, contact and login address)
and only missing rows are created, so a second run writes nothing and resets no password.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from operant.accounts.demo_data import CLIENTS, STAFF, DemoClient
from operant.accounts.models import Client, Contact, User
from operant.accounts.services import (
    agent_create,
    client_create,
    contact_add,
    contact_invite_user,
)


@dataclass
class DemoReport:
    created: list[str] = field(default_factory=list)
    portal_logins: list[str] = field(default_factory=list)
    staff_logins: list[tuple[str, str]] = field(default_factory=list)  # (email, role)


def _seed_client(spec: DemoClient, *, password: str, report: DemoReport) -> None:
    client = Client.objects.filter(slug=slugify(spec.name)).first()
    if client is None:
        billing = next((c.email for c in spec.contacts if c.is_billing), None)
        client = client_create(
            name=spec.name,
            package_key=spec.package,
            timezone=spec.timezone,
            domains=spec.domains,
            billing_email=billing,
        )
        # Demo history, not a transition: billing's services own real standing changes.
        client.standing = spec.standing
        client.notes = spec.notes
        client.standing_changed_at = timezone.now()
        client.save(update_fields=["standing", "notes", "standing_changed_at"])
        report.created.append(f"client {client.slug}")
    for person in spec.contacts:
        contact = Contact.objects.filter(email=person.email).first()
        if contact is None:
            contact = contact_add(
                client=client,
                email=person.email,
                name=person.name,
                phone=person.phone,
                is_billing=person.is_billing,
            )
            report.created.append(f"contact {contact.email}")
        if person.portal:
            if contact.user_id is None:
                contact_invite_user(contact=contact, password=password)
                report.created.append(f"portal login {contact.email}")
            report.portal_logins.append(contact.email)


@transaction.atomic
def demo_seed(*, password: str) -> DemoReport:
    """Create whatever part of the demo agency is missing and say what was created."""
    report = DemoReport()
    for email, name, role in STAFF:
        if User.objects.get_by_email(email) is None:
            agent_create(email=email, name=name, password=password, role=role)
            report.created.append(f"{role} login {email}")
        report.staff_logins.append((email, role))
    for spec in CLIENTS:
        _seed_client(spec, password=password, report=report)
    return report
