"""`operant policy check|show|render`: the policy file from the command line.

    operant policy check FILE                          OK <version> (effective <date>)
    operant policy show [--policy FILE] [--json]       every term
    operant policy render [--policy FILE] --format md|html

Without ``--policy`` (or FILE for check) the configured policy is used (``OPERANT_POLICY`` or
the shipped file). A bad file prints one line naming the key and line, and exits 1.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandParser

from operant.core.command import OperantCommand
from operant.policy.classes import RequestClass
from operant.policy.loader import load_policy
from operant.policy.render import policy_summary, render_policy
from operant.policy.schema import Policy


def policy_from(path: str | None) -> Policy:
    # An explicit file is read as given; otherwise the configured one, read at call time.
    return load_policy(path or settings.OPERANT_POLICY)


class Command(OperantCommand):
    help = "Check, show or render a support policy file."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        check = actions.add_parser("check", help="validate a policy file")
        check.add_argument("file", nargs="?", help="policy file (default: the configured one)")
        show = actions.add_parser("show", help="print every term of the policy")
        show.add_argument("--policy", help="policy file (default: the configured one)")
        show.add_argument("--json", action="store_true", help="print JSON")
        render = actions.add_parser("render", help="print the public policy page")
        render.add_argument("--policy", help="policy file (default: the configured one)")
        render.add_argument("--format", choices=["md", "html"], required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "check":
            policy = policy_from(options.get("file"))
            self.stdout.write(f"OK {policy.version} (effective {policy.effective.isoformat()})")
        elif action == "show":
            policy = policy_from(options.get("policy"))
            if options.get("json"):
                self.print_json(policy_json(policy))
            else:
                self.stdout.write("\n".join(policy_summary(policy)))
        elif action == "render":
            policy = policy_from(options.get("policy"))
            self.stdout.write(render_policy(policy, options["format"]), ending="")


def policy_json(policy: Policy) -> dict[str, Any]:
    """The terms as the file has them, plus what the desk derives (class fallbacks, the hash)."""
    terms = policy.model_dump(mode="json", by_alias=True)
    terms["calendar"] = policy.calendar_table
    classes = {}
    for name in RequestClass:
        rule = policy.response.rule_for(name.value)
        classes[name.value] = rule.model_dump(mode="json")
    return {
        "version": policy.version,
        "effective": policy.effective.isoformat(),
        "sha256": policy.sha256,
        "source": policy.source,
        "terms": terms,
        "request_classes": classes,
    }
