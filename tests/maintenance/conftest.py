"""Fixtures for maintenance: monitoring's workflow fixtures, and one pass of the worker."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from django.utils import timezone

from tests.monitoring.conftest import make_workflow, operator, workflow

__all__ = ["make_workflow", "operator", "workflow"]


def run_jobs(now: datetime) -> int:
    """One pass of maintenance's jobs, then monitoring's, as `operant worker` runs them."""
    from operant.maintenance.jobs import (
        occurrences_after_due,
        occurrences_notices_due,
        windows_expand_due,
    )
    from tests.monitoring.conftest import run_worker

    handled = windows_expand_due(now=now) + occurrences_notices_due(now=now)
    return handled + occurrences_after_due(now=now) + run_worker(now)


@pytest.fixture
def add_window(catalog: None) -> Callable[..., Any]:
    """``add_window(start=..., end=..., **window_create arguments)``: scheduled now."""
    from operant.maintenance.services import window_create

    def add(**fields: Any) -> Any:
        values: dict[str, Any] = {"title": "Database upgrade", "now": timezone.now()}
        values.update(fields)
        return window_create(**values)

    return add
