"""``health.HEALTH_FIELDS`` names every field ``assess`` reads: the ping endpoint loads only
those, and workflow_apply's claim checks only those, so a rule reading another field would
decide on a value never loaded (a query per ping) or never checked (a stale verdict)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from operant.core.rows import instance_get
from operant.monitoring.health import HEALTH_FIELDS, assess
from operant.monitoring.models import Workflow
from operant.monitoring.transitions import APPLY_FIELDS

pytestmark = pytest.mark.django_db


def _shapes(now: Any) -> dict[str, dict[str, Any]]:
    """Row facts that send assess down each of its branches."""
    hour_ago = now - timedelta(hours=1)
    return {
        "new": {},
        "up": {"last_ping_at": now},
        "late": {"last_ping_at": now - timedelta(seconds=3700)},
        "down by silence": {"last_ping_at": now, "silence_hours": 1, "last_event_at": hour_ago},
        "run in progress": {"last_ping_at": now, "last_start_at": now - timedelta(minutes=20)},
        "failed run": {"last_ping_at": now, "last_ping_failed": True},
        "failing rate": {"failing_since": hour_ago, "failing_reason": "40% failed"},
        "cron": {
            "schedule_kind": "cron",
            "cron": "0 9 * * *",
            "cron_tz": "America/New_York",
            "period_seconds": None,
            "last_ping_at": hour_ago,
        },
        "paused": {"paused_at": hour_ago, "paused_reason": "client migrating"},
    }


@pytest.mark.parametrize("shape", list(_shapes(timezone.now())))
def test_assess_reads_nothing_beyond_health_fields(
    make_workflow: Callable[..., Workflow], django_assert_num_queries: Any, shape: str
) -> None:
    now = timezone.now()
    workflow = make_workflow()
    Workflow.objects.filter(pk=workflow.pk).update(**_shapes(now)[shape])
    loaded = instance_get(Workflow, HEALTH_FIELDS, by="pk", value=workflow.pk)
    assert loaded is not None
    assert loaded.get_deferred_fields()  # the rest really is left out
    with django_assert_num_queries(0):  # a deferred field read would load it: one query
        verdict = assess(loaded, now)
    assert verdict == assess(Workflow.objects.get(pk=workflow.pk), now)


def test_apply_fields_are_the_health_fields_and_the_claim() -> None:
    assert set(APPLY_FIELDS) == {*HEALTH_FIELDS, "state", "state_reason", "due_at"}
