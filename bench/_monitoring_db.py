"""The database side of bench/monitoring_ingest.py, run in a process of its own with Django set
up on the database named by DATABASE_URL (``monitoring_ingest.py --db-task seed|count``).

- ``seed``: migrate, then create the fleet's clients, their Twilio accounts and workflows
  through the desk's services (what ``operant clients add`` and ``operant workflows add`` do),
  and return each workflow's ping code (and whether the Twilio callback is served yet);
- ``count``: the ping signals and the Twilio status signals stored (read once the server has
  stopped, so nothing is still being written).
"""

from __future__ import annotations

import os
from typing import Any

from _monitoring_set import CALLBACK_PATH, Fleet

PACKAGE = "starter"  # includes twilio_sms
INTEGRATION = "twilio_sms"


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "operant.settings")
    os.environ.setdefault("OPERANT_LOG_LEVEL", "WARNING")
    import django

    django.setup()


def routed(path: str) -> bool:
    """Whether the desk serves ``path`` (the Twilio callback lands after the pings)."""
    from django.urls import Resolver404, resolve

    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def seed(fleet: Fleet) -> dict[str, Any]:
    """Migrate and create the fleet; the ping codes in the fleet's workflow order."""
    django_setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.utils import timezone

    from operant.accounts.services import client_create
    from operant.monitoring.credentials import twilio_account_set
    from operant.monitoring.pings import Ping, ping_record
    from operant.monitoring.registry import Identifiers, workflow_create

    # The steady state the run measures: every workflow registered with an hourly heartbeat
    # and pinged once just now, so it is up and none falls due during the run (the clock of
    # the server is the machine's, so this one is too).
    now = timezone.now()
    codes = []
    for spec in fleet.clients:
        client = client_create(name=spec.name, package_key=PACKAGE)
        twilio_account_set(
            client_id=client.pk,
            account_sid=spec.account.sid,
            auth_token=spec.account.auth_token,
            now=now,
        )
        for number in spec.numbers:
            workflow = workflow_create(
                client=client,
                name=f"SMS reminders {number}",
                platform="twilio_studio",
                integration_keys=[INTEGRATION],
                identifiers=Identifiers(phones=[number]),
                period_seconds=3600,
                grace_seconds=600,
                now=now,
            )
            ping_record(code=workflow.code, ping=Ping(kind="success"), now=now)
            codes.append(str(workflow.code))
    # The rows every run starts with (the seeding pings): a run's own are those beyond.
    return {"ping_codes": codes, "callback_routed": routed(CALLBACK_PATH), "baseline": count()}


def count() -> dict[str, int]:
    django_setup()
    from operant.monitoring.models import Signal, SignalSource

    by_source = Signal.objects.filter(source__in=[SignalSource.PING, SignalSource.TWILIO_STATUS])
    return {
        "pings": by_source.filter(source=SignalSource.PING).count(),
        "callbacks": by_source.filter(source=SignalSource.TWILIO_STATUS).count(),
    }
