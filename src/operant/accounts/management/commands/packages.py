"""`operant packages list`: the service packages and the integrations each includes."""

from __future__ import annotations

from typing import Any

from operant.accounts.models import ServicePackage
from operant.accounts.serialize import package_to_dict
from operant.core.command import OperantCommand


class Command(OperantCommand):
    help = "List service packages."

    def add_arguments(self, parser: Any) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        listing = actions.add_parser("list", help="list packages")
        listing.add_argument("--json", action="store_true", help="print a JSON array")

    def handle(self, *args: Any, **options: Any) -> None:
        packages = ServicePackage.objects.prefetch_related("integrations")
        if options["json"]:
            self.print_json([package_to_dict(package) for package in packages])
            return
        for package in packages:
            integrations = ", ".join(package.integration_keys())
            self.stdout.write(
                f"{package.key:<12} {package.monthly_retainer:>9} {package.currency}  "
                f"{package.name}: {integrations}"
            )
