"""`operant allowance --client SLUG [--month YYYY-MM] [--json]`: a client's month of the ledger.

The JSON carries ``allowance_minutes``, ``used_minutes``, ``remaining_minutes``, ``month``,
``closed`` (and ``carried_minutes``). The month defaults to the client's current one.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from operant.accounts.models import Client
from operant.allowance.months import parse_month
from operant.allowance.services import allowance_balance, month_of
from operant.core.command import OperantCommand
from operant.core.errors import UserError


class Command(OperantCommand):
    help = "Show a client's allowance for a month."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--client", required=True, help="the client's slug")
        parser.add_argument("--month", help="YYYY-MM (default: the client's current month)")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        client = Client.objects.filter(slug=options["client"].strip()).first()
        if client is None:
            raise UserError(f"no client {options['client']!r}")
        if options["month"]:
            try:
                month = parse_month(options["month"])
            except ValueError as exc:
                raise UserError(f"--month: {exc}") from None
        else:
            month = month_of(client=client, when=timezone.now())
        balance = allowance_balance(client=client, month=month)
        if options["json"]:
            self.print_json({"client": client.slug, **balance.as_dict()})
            return
        carried = ""
        if balance.carried_minutes:
            carried = f" (incl. {balance.carried_minutes} carried over)"
        self.stdout.write(
            f"{client.slug} {balance.month:%Y-%m}: {balance.used_minutes} of "
            f"{balance.allowance_minutes} minutes used{carried}, "
            f"{balance.remaining_minutes} remaining{' (closed)' if balance.closed else ''}"
        )
