"""`operant workflows add|show|list|pause|resume`: the workflow registry from the command line.

The JSON is ``monitoring.serialize.workflow_json``, the API's shape too: a stable contract.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from operant.core.command import OperantCommand
from operant.core.errors import UserError
from operant.monitoring.control import workflow_pause, workflow_resume
from operant.monitoring.models import Platform, Workflow
from operant.monitoring.queries import client_by_slug, workflows_matching
from operant.monitoring.registry import FailureRule, Identifiers, workflow_create
from operant.monitoring.serialize import WorkflowNotFound, workflow_by_id, workflow_json


def _by_id(pk: str) -> Workflow:
    try:
        return workflow_by_id(pk)
    except WorkflowNotFound as exc:
        raise UserError(str(exc)) from exc


def _line(data: dict[str, Any]) -> str:
    ticket = f"  outage: {data['outage_ticket']}" if data["outage_ticket"] else ""
    return (
        f"{data['id']:>5}  {data['client']:<24} {data['name']:<32} {data['platform']:<16} "
        f"{data['state']:<7} last signal: {data['last_signal_at'] or 'never'}{ticket}"
    )


class Command(OperantCommand):
    help = "Register, list, show, pause and resume client workflows."

    def add_arguments(self, parser: Any) -> None:
        actions = parser.add_subparsers(dest="action", required=True)

        add = actions.add_parser("add", help="register a client workflow")
        add.add_argument("--client", required=True, help="the client's slug")
        add.add_argument("--name", required=True)
        add.add_argument("--platform", required=True, help=", ".join(Platform.values))
        add.add_argument(
            "--integration",
            action="append",
            default=[],
            required=True,
            help="an integration key in the client's package (repeatable)",
        )
        add.add_argument("--period", type=int, default=None, help="heartbeat period in seconds")
        add.add_argument("--grace", type=int, default=None, help="grace time in seconds")
        add.add_argument("--cron", default="", help='a cron expression, e.g. "0 9 * * 1-5"')
        add.add_argument("--tz", default="UTC", help="the cron expression's IANA time zone")
        add.add_argument("--phone", action="append", default=[], help="E.164 (repeatable)")
        add.add_argument("--sid", action="append", default=[], help="a Twilio sid (repeatable)")
        add.add_argument("--account", action="append", default=[], help="account id (repeatable)")
        add.add_argument("--silence-hours", type=int, default=None)
        add.add_argument(
            "--failure-percent", type=int, default=25, help="down at this failure rate (percent)"
        )
        add.add_argument("--failure-window", type=int, default=900, help="over this many seconds")
        add.add_argument(
            "--failure-min", type=int, default=10, help="of at least this many messages"
        )
        add.add_argument("--notes", default="", help="owner notes")
        add.add_argument("--json", action="store_true", help="print the workflow as JSON")

        show = actions.add_parser("show", help="one workflow")
        show.add_argument("id")
        show.add_argument("--json", action="store_true")

        listing = actions.add_parser("list", help="workflows, by client and name")
        listing.add_argument("--client", default=None, help="only this client's (slug)")
        listing.add_argument("--json", action="store_true", help="print a JSON array")

        pause = actions.add_parser("pause", help="stop alerting on a workflow, with a reason")
        pause.add_argument("id")
        pause.add_argument("--reason", required=True)
        pause.add_argument("--json", action="store_true")

        resume = actions.add_parser("resume", help="monitor a paused workflow again")
        resume.add_argument("id")
        resume.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            client = client_by_slug(options["client"]) if options["client"] else None
            rows = [workflow_json(w) for w in workflows_matching(client=client)]
            if options["json"]:
                self.print_json(rows)
            else:
                self.stdout.write("\n".join(_line(row) for row in rows) or "no workflows")
            return
        now = timezone.now()
        if action == "add":
            workflow = self._add(options, now)
        elif action == "pause":
            workflow = workflow_pause(
                workflow=_by_id(options["id"]), reason=options["reason"], actor=None, now=now
            )
        elif action == "resume":
            workflow = workflow_resume(workflow=_by_id(options["id"]), actor=None, now=now)
        else:
            workflow = _by_id(options["id"])
        data = workflow_json(_by_id(workflow.pk))
        if options["json"]:
            self.print_json(data)
        else:
            self.stdout.write(_line(data) + f"\nping URL: {data['ping_url']}")

    def _add(self, options: dict[str, Any], now: Any) -> Workflow:
        return workflow_create(
            client=client_by_slug(options["client"]),
            name=options["name"],
            platform=options["platform"],
            integration_keys=options["integration"],
            identifiers=Identifiers(
                phones=options["phone"], accounts=options["account"], sids=options["sid"]
            ),
            owner_notes=options["notes"],
            period_seconds=options["period"],
            grace_seconds=options["grace"],
            cron=options["cron"],
            tz=options["tz"],
            silence_hours=options["silence_hours"],
            failure_rule=FailureRule(
                percent=options["failure_percent"],
                window_seconds=options["failure_window"],
                min_messages=options["failure_min"],
            ),
            now=now,
        )
