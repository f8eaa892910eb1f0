"""`operant sla target`: when a request must be answered, under a policy (clause 03).

    operant sla target [--policy FILE] --class general|outage --received ISO8601 [--json]

prints ``target: <ISO 8601>`` and ``limit: <ISO 8601>`` in the calendar's timezone. A received
time without an offset is read in the calendar's timezone, as the operator would mean it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import CommandParser

from operant.core.command import OperantCommand
from operant.core.errors import UserError
from operant.core.limits import check_year
from operant.policy.management.commands.policy import policy_from
from operant.policy.targets import response_deadlines


class SlaInputError(UserError):
    """A command-line value the SLA command cannot use."""


def parse_received(value: str, policy_zone: Any) -> datetime:
    try:
        received = datetime.fromisoformat(value.strip())
    except ValueError:
        raise SlaInputError(
            f"--received: not an ISO 8601 time: {value!r} (e.g. 2026-11-25T16:30:00-05:00)"
        ) from None
    check_year(received, "--received", SlaInputError)
    if received.tzinfo is None:
        received = received.replace(tzinfo=policy_zone)
    return received.astimezone(policy_zone)


class Command(OperantCommand):
    help = "Response deadlines under the support policy."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        target = actions.add_parser("target", help="target and limit for one request")
        target.add_argument("--policy", help="policy file (default: the configured one)")
        # Not argparse `choices`: an unknown class gets the policy's one-line message instead.
        target.add_argument("--class", dest="request_class", required=True)
        target.add_argument("--received", required=True, help="ISO 8601 time received")
        target.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        policy = policy_from(options.get("policy"))
        received = parse_received(options["received"], policy.calendar.timezone)
        deadlines = response_deadlines(
            policy=policy, request_class=options["request_class"], received_at=received
        )
        if options.get("json"):
            self.print_json(
                {
                    "class": deadlines.request_class,
                    "received": received.isoformat(),
                    "target_at": deadlines.target_at.isoformat(),
                    "limit_at": deadlines.limit_at.isoformat(),
                    "policy_version": deadlines.policy_version,
                }
            )
            return
        self.stdout.write(f"target: {deadlines.target_at.isoformat()}")
        self.stdout.write(f"limit: {deadlines.limit_at.isoformat()}")
