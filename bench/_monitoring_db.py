"""The database side of bench/monitoring_ingest.py, run in a process of its own with Django set
up on the database named by DATABASE_URL (``monitoring_ingest.py --db-task seed|count``).

- ``seed``: migrate, then create the fleet's clients, their Twilio accounts and workflows
  through the desk's services (what ``operant clients add`` and ``operant workflows add`` do),
  and return each workflow's ping code;
- ``count``: the ping signals and the Twilio status signals stored (read once the server has
  stopped, so nothing is still being written).
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime
from typing import Any

from _monitoring_set import Fleet

PACKAGE = "starter"  # includes twilio_sms
INTEGRATION = "twilio_sms"


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "operant.settings")
    os.environ.setdefault("OPERANT_LOG_LEVEL", "WARNING")
    import django

    django.setup()


def monitoring_available() -> bool:
    try:
        import operant.monitoring.registry  # noqa: F401
    except ImportError:
        return False
    return True


def seed(fleet: Fleet) -> dict[str, Any]:
    """Migrate and create the fleet; the ping codes in the fleet's workflow order."""
    django_setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not monitoring_available():
        # Before the monitoring app exists: codes nobody stores, so only the floor can run.
        return {"app": False, "ping_codes": [str(uuid.uuid4()) for _ in range(fleet.workflows)]}

    from django.utils import timezone

    from operant.accounts.services import client_create
    from operant.monitoring.pings import Ping, ping_record
    from operant.monitoring.registry import Identifiers, workflow_create

    # The steady state the run measures: every workflow registered with an hourly heartbeat
    # and pinged once just now, so it is up and none falls due during the run (the clock of
    # the server is the machine's, so this one is too).
    now = timezone.now()
    codes = []
    for spec in fleet.clients:
        client = client_create(name=spec.name, package_key=PACKAGE)
        _twilio_account_add(
            client=client, sid=spec.account.sid, token=spec.account.auth_token, now=now
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
    return {"app": True, "ping_codes": codes}


def _twilio_account_add(*, client: Any, sid: str, token: str, now: datetime) -> None:
    """The client's Twilio account, through the service that stores its token encrypted."""
    try:
        from operant.monitoring.twilio_accounts import twilio_account_add
    except ImportError:  # the status callback is not on this branch yet: pings only
        return
    twilio_account_add(client=client, account_sid=sid, auth_token=token, now=now)


def count() -> dict[str, int | None]:
    django_setup()
    if not monitoring_available():
        return {"pings": None, "callbacks": None}
    from operant.monitoring.models import Signal, SignalSource

    by_source = Signal.objects.filter(source__in=[SignalSource.PING, SignalSource.TWILIO_STATUS])
    return {
        "pings": by_source.filter(source=SignalSource.PING).count(),
        "callbacks": by_source.filter(source=SignalSource.TWILIO_STATUS).count(),
    }
