"""The database side of bench/monitoring_ingest.py, run in a process of its own with Django set
up on the database named by DATABASE_URL (``monitoring_ingest.py --db-task seed|count``).

- ``seed``: migrate, then create the fleet's clients, their Twilio accounts and workflows
  through the desk's services (what ``operant clients add`` and ``operant workflows add`` do),
  and return each workflow's ping code;
- ``count``: the ping rows and the status callback rows stored (read once the server has
  stopped, so nothing is still being written).
"""

from __future__ import annotations

import os
import uuid
from typing import Any

from _monitoring_set import Fleet


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "operant.settings")
    os.environ.setdefault("OPERANT_LOG_LEVEL", "WARNING")
    import django

    django.setup()


def monitoring_available() -> bool:
    try:
        import operant.monitoring.services  # noqa: F401
    except ImportError:
        return False
    return True


def seed(fleet: Fleet) -> dict[str, Any]:
    """Migrate and create the fleet; the ping codes in the fleet's workflow order."""
    django_setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not monitoring_available():
        # Until the monitoring app lands: codes nobody stores, so only the floor can run.
        return {"app": False, "ping_codes": [str(uuid.uuid4()) for _ in range(fleet.workflows)]}
    raise NotImplementedError("seed through operant.monitoring's services (when it lands)")


def count() -> dict[str, int | None]:
    django_setup()
    if not monitoring_available():
        return {"pings": None, "callbacks": None}
    raise NotImplementedError("count operant.monitoring's ping and callback rows")
