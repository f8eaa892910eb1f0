"""`operant tickets show REF --json`."""

from __future__ import annotations

from typing import Any

from operant.core.command import OperantCommand
from operant.core.errors import UserError
from operant.desk.serialize import TicketNotFound, ticket_by_ref, ticket_json


class Command(OperantCommand):
    help = "Look at tickets."

    def add_arguments(self, parser: Any) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        show = actions.add_parser("show", help="one ticket")
        show.add_argument("ref", help="ticket reference, e.g. OPR-1234")
        show.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            ticket = ticket_by_ref(options["ref"])
        except TicketNotFound as exc:
            raise UserError(str(exc)) from exc
        data = ticket_json(ticket)
        if options["json"]:
            self.print_json(data)
            return
        clock = data["clock"]
        self.stdout.write(
            f"{data['ref']}  {data['subject']}\n"
            f"client: {data['client'] or 'unmatched'}  class: {data['class']}"
            f"{' (' + data['scope_category'] + ')' if data['scope_category'] else ''}"
            f"  state: {data['state']}\n"
            f"clock: {clock['state']}  target: {clock['target_at']}  limit: {clock['limit_at']}\n"
            f"messages: {data['messages']}\nreasons: " + "; ".join(data["reasons"])
        )
