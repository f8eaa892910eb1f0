"""Base for the `operant` subcommands: user errors become one readable line and exit 1."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from operant.core.errors import UserError


class OperantCommand(BaseCommand):
    """A management command whose ``UserError`` becomes a ``CommandError`` (one line, exit 1)."""

    requires_system_checks: list[str] = []

    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except UserError as exc:
            raise CommandError(str(exc)) from exc

    def print_json(self, data: Any) -> None:
        self.stdout.write(json.dumps(data, indent=2, sort_keys=False, default=str))
