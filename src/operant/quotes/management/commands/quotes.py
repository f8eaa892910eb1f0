"""`operant quotes list|show|expire`: look at quotes, and expire the overdue ones now."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from operant.core.command import OperantCommand
from operant.core.errors import UserError
from operant.quotes.errors import QuoteNotFound
from operant.quotes.models import Quote, QuoteState
from operant.quotes.serialize import quote_json
from operant.quotes.services import quote_by_ref, quote_expire_due


class Command(OperantCommand):
    help = "Look at quotes; expire those past their validity (the worker does this too)."

    def add_arguments(self, parser: Any) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        listing = actions.add_parser("list", help="quotes, newest first")
        listing.add_argument("--state", choices=QuoteState.values)
        listing.add_argument("--client", help="a client's slug")
        listing.add_argument("--json", action="store_true", help="print JSON")
        show = actions.add_parser("show", help="one quote")
        show.add_argument("ref", help="quote reference, e.g. Q-12")
        show.add_argument("--json", action="store_true", help="print JSON")
        actions.add_parser("expire", help="expire sent quotes past their validity now")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "expire":
            count = quote_expire_due(now=timezone.now())
            self.stdout.write(f"expired {count} quote{'' if count == 1 else 's'}")
            return
        if action == "show":
            try:
                quotes = [quote_by_ref(options["ref"])]
            except QuoteNotFound as exc:
                raise UserError(str(exc)) from exc
        else:
            quotes = list(
                Quote.objects.search(state=options["state"] or "", client=options["client"] or "")
                .select_related("client", "ticket", "policy_version")
                .prefetch_related("lines")[:200]
            )
        data = [quote_json(quote) for quote in quotes]
        if options["json"]:
            self.print_json(data[0] if action == "show" else data)
            return
        for item in data:
            self.stdout.write(
                f"{item['ref']}  {item['state']:<8}  {item['total']} {item['currency']}  "
                f"{item['client']}  {item['title']}"
            )
