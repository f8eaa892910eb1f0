"""A Django system check: the desk refuses to start on a broken policy file."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register

from operant.policy.loader import PolicyError, current_policy


@register()
def policy_file_loads(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    try:
        current_policy()
    except PolicyError as exc:
        return [
            Error(
                str(exc),
                hint="Fix the file or point OPERANT_POLICY at a valid one.",
                id="operant.E001",
            )
        ]
    return []
