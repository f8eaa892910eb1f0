"""`operant clients add|list`: create and list clients from the command line."""

from __future__ import annotations

from typing import Any

from operant.accounts.models import Client
from operant.accounts.serialize import client_to_dict
from operant.accounts.services import client_create
from operant.core.command import OperantCommand


class Command(OperantCommand):
    help = "Create and list clients."

    def add_arguments(self, parser: Any) -> None:
        actions = parser.add_subparsers(dest="action", required=True)

        add = actions.add_parser("add", help="create a client with its contacts and domains")
        add.add_argument("--name", required=True, help="the client's business name")
        add.add_argument("--package", required=True, help="service package key, e.g. starter")
        add.add_argument("--timezone", default="America/New_York", help="IANA time zone")
        add.add_argument(
            "--email", action="append", default=[], help="a contact address (repeatable)"
        )
        add.add_argument(
            "--domain", action="append", default=[], help="a sender domain (repeatable)"
        )
        add.add_argument("--billing-email", default=None, help="default: the first --email")
        add.add_argument("--json", action="store_true", help="print the client as JSON")

        listing = actions.add_parser("list", help="list clients")
        listing.add_argument("--json", action="store_true", help="print a JSON array")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "add":
            self._add(options)
        else:
            self._list(options)

    def _add(self, options: dict[str, Any]) -> None:
        client = client_create(
            name=options["name"],
            package_key=options["package"],
            timezone=options["timezone"],
            emails=options["email"],
            domains=options["domain"],
            billing_email=options["billing_email"],
        )
        if options["json"]:
            self.print_json(client_to_dict(client))
        else:
            self.stdout.write(f"created client {client.slug} ({client.name}, {client.package})")

    def _list(self, options: dict[str, Any]) -> None:
        clients = Client.objects.select_related("package").prefetch_related(
            "contacts", "domains", "package__integrations"
        )
        if options["json"]:
            self.print_json([client_to_dict(client) for client in clients])
            return
        for client in clients:
            self.stdout.write(
                f"{client.slug:<32} {client.package.key:<12} {client.standing:<11} {client.name}"
            )
