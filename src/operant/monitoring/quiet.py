"""Quiet on purpose: the one check that decides whether a workflow's going down alerts anyone.

A paused workflow is quiet. Apps above monitoring (planned maintenance windows) add their own
reasons with ``register_quiet_check`` from their ``AppConfig.ready``; the flip processor asks
``alerts_quiet_reason`` and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from operant.monitoring.models import Workflow

QuietCheck = Callable[["Workflow", datetime], str | None]
_quiet_checks: list[QuietCheck] = []


def register_quiet_check(check: QuietCheck) -> None:
    """A check returns why alerts about this workflow are suppressed now, or None."""
    if check not in _quiet_checks:
        _quiet_checks.append(check)


def alerts_quiet_reason(workflow: Workflow, now: datetime) -> str | None:
    """Why nobody should be alerted about this workflow now (None: alert as usual)."""
    if workflow.paused_at is not None:
        return f"paused: {workflow.paused_reason}" if workflow.paused_reason else "paused"
    for check in _quiet_checks:
        reason = check(workflow, now)
        if reason:
            return reason
    return None
