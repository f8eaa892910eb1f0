"""`operant maintenance add`: schedule a planned maintenance window (clause 04)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from operant.core.command import OperantCommand
from operant.core.errors import UserError
from operant.maintenance.serialize import window_json
from operant.maintenance.services import window_create
from operant.policy.loader import current_policy


def _instant(name: str, text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise UserError(
            f"{name} {text!r} is not an ISO 8601 date and time (e.g. 2027-03-14T01:00-05:00)"
        ) from None


def _workflow_id(text: str) -> int:
    if not text.strip().isdigit():
        raise UserError(f"{text!r} is not a workflow id")
    return int(text)


class Command(OperantCommand):
    help = "Schedule planned maintenance windows."

    def add_arguments(self, parser: Any) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="schedule a window (one-off, or recurring)")
        add.add_argument("--title", required=True)
        add.add_argument("--start", required=True, help="ISO 8601 with an offset")
        add.add_argument("--end", required=True, help="the first occurrence's end, ISO 8601")
        add.add_argument("--rrule", default="", help='e.g. "FREQ=WEEKLY;BYDAY=SU;COUNT=8"')
        add.add_argument(
            "--tz", default=None, help="the rule's time zone (default: the business calendar's)"
        )
        add.add_argument("--integration", action="append", default=[], help="repeatable")
        add.add_argument("--client", action="append", default=[], help="a slug (repeatable)")
        add.add_argument("--workflow", action="append", default=[], help="an id (repeatable)")
        add.add_argument("--reason", default="", help="why, when it is short notice")
        add.add_argument("--json", action="store_true", help="print the window as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        window = window_create(
            title=options["title"],
            start=_instant("--start", options["start"]),
            end=_instant("--end", options["end"]),
            rrule=options["rrule"],
            zone=options["tz"] or current_policy().calendar.timezone.key,
            integration_keys=options["integration"],
            client_slugs=options["client"],
            workflow_ids=[_workflow_id(w) for w in options["workflow"]],
            reason=options["reason"],
            now=timezone.now(),
        )
        data = window_json(window)
        if options["json"]:
            self.print_json(data)
            return
        notice = "  short notice" if data["short_notice"] else ""
        self.stdout.write(
            f"window {data['id']}: {data['title']} {data['start']} to {data['end']} "
            f"({data['scope']}){notice}"
        )
