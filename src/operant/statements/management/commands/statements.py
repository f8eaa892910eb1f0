"""`operant statements build`: build (or show) a client's monthly statement.

    operant statements build --client SLUG --month YYYY-MM [--email] [--json]

Builds the statement of a month that has ended on the client's calendar (once: a second run
prints the same statement), prints where its PDF and CSV are, and with ``--email`` queues it to
the billing contact (once per client and month). Exits 1 with one line when refused.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from operant.accounts.models import Client
from operant.allowance.months import parse_month
from operant.core.command import OperantCommand
from operant.core.errors import UserError
from operant.statements import files
from operant.statements.services import statement_build, statement_email


class Command(OperantCommand):
    help = "Monthly statements: build one for a client and month."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        build = actions.add_parser("build", help="build a client's statement for a month")
        build.add_argument("--client", required=True, help="the client's slug")
        build.add_argument("--month", required=True, help="the month, like 2026-11")
        build.add_argument("--email", action="store_true", help="queue it to the billing contact")
        build.add_argument("--json", action="store_true", help="print the figures as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        client = Client.objects.select_related("package").filter(slug=options["client"]).first()
        if client is None:
            raise UserError(f"no client {options['client']!r}")
        try:
            month = parse_month(options["month"])
        except ValueError as exc:
            raise UserError(str(exc)) from None
        statement = statement_build(client=client, month=month, now=now)
        emailed = statement_email(statement=statement, now=now) if options["email"] else None
        if options["json"]:
            self.print_json(statement.figures)
            return
        self.stdout.write(f"statement {statement.month_key} for {client.slug}")
        self.stdout.write(f"  pdf {files.absolute(statement.pdf_path)}")
        self.stdout.write(f"  csv {files.absolute(statement.csv_path)}")
        if options["email"]:
            self.stdout.write("  emailed" if emailed else "  not emailed: no billing address")
