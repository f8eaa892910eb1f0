"""`operant vendors add-feed|poll|incidents|report|post`: vendor status feeds and incidents.

``incidents --json`` is a stable contract: each incident with ``id``, ``status``,
``integrations`` (keys) and ``clients`` (slugs of the affected clients).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from operant.core.command import OperantCommand
from operant.core.errors import UserError
from operant.vendors.incidents import incident_post, incident_report
from operant.vendors.jobs import feeds_poll_all
from operant.vendors.models import FeedKind, Impact, IncidentStatus, VendorIncident
from operant.vendors.queries import incident_affected_clients
from operant.vendors.services import feed_add, mapping_parse


def incident_json(incident: VendorIncident) -> dict[str, Any]:
    return {
        "id": incident.pk,
        "vendor": incident.vendor_key,
        "source": incident.source,
        "external_id": incident.external_id,
        "title": incident.title,
        "status": incident.status,
        "impact": incident.impact,
        "started_at": incident.started_at.isoformat(),
        "resolved_at": incident.resolved_at.isoformat() if incident.resolved_at else None,
        "integrations": sorted(i.key for i in incident.integrations.all()),
        "clients": list(
            incident_affected_clients(incident=incident).values_list("slug", flat=True)
        ),
    }


def _incident(pk: str) -> VendorIncident:
    incident = VendorIncident.objects.filter(pk=int(pk) if pk.isdigit() else None).first()
    if incident is None:
        raise UserError(f"no vendor incident {pk!r}")
    return incident


class Command(OperantCommand):
    help = "Vendor status feeds, their polling, and vendor incidents."

    def add_arguments(self, parser: Any) -> None:
        actions = parser.add_subparsers(dest="action", required=True)

        add = actions.add_parser("add-feed", help="poll a vendor's status feed")
        add.add_argument("--vendor", required=True, help="a policy [[vendors]] key")
        add.add_argument("--kind", required=True, help=", ".join(FeedKind.values))
        add.add_argument("--url", required=True)
        add.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COMPONENT=INTEGRATION",
            help="a vendor component or group mapped to an integration key (repeatable)",
        )
        add.add_argument("--interval", type=int, default=120, help="seconds between polls")

        poll = actions.add_parser("poll", help="poll every feed now and print what changed")
        poll.add_argument("--once", action="store_true", required=True)

        listing = actions.add_parser("incidents", help="vendor incidents, newest first")
        listing.add_argument("--open", action="store_true", help="only unresolved ones")
        listing.add_argument("--json", action="store_true")

        report = actions.add_parser("report", help="enter an incident the feeds do not show")
        report.add_argument("--vendor", required=True)
        report.add_argument("--title", required=True)
        report.add_argument("--integration", action="append", default=[], required=True)
        report.add_argument("--body", default="")
        report.add_argument("--impact", default=Impact.MINOR, help=", ".join(Impact.values))
        report.add_argument("--json", action="store_true")

        post = actions.add_parser("post", help="add an update to an incident")
        post.add_argument("id")
        post.add_argument("--status", required=True, help=", ".join(IncidentStatus.values))
        post.add_argument("--body", required=True)
        post.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        now = timezone.now()
        if action == "add-feed":
            feed = feed_add(
                vendor_key=options["vendor"],
                kind=options["kind"],
                url=options["url"],
                mappings=[mapping_parse(text) for text in options["map"]],
                poll_seconds=options["interval"],
                now=now,
            )
            self.stdout.write(f"feed {feed.pk}: {feed.vendor_key} {feed.kind} {feed.url}")
        elif action == "poll":
            self._poll(now)
        elif action == "incidents":
            incidents = VendorIncident.objects.prefetch_related("integrations")
            if options["open"]:
                incidents = incidents.filter(resolved_at=None)
            rows = [incident_json(incident) for incident in incidents]
            if options["json"]:
                self.print_json(rows)
            else:
                self.stdout.write("\n".join(_line(row) for row in rows) or "no vendor incidents")
        else:
            if action == "report":
                incident = incident_report(
                    vendor_key=options["vendor"],
                    title=options["title"],
                    integration_keys=options["integration"],
                    body=options["body"],
                    impact=options["impact"],
                    now=now,
                )
            else:
                incident = incident_post(
                    incident=_incident(options["id"]),
                    status=options["status"],
                    body=options["body"],
                    now=now,
                )
            data = incident_json(_incident(str(incident.pk)))
            self.print_json(data) if options["json"] else self.stdout.write(_line(data))

    def _poll(self, now: Any) -> None:
        for result in feeds_poll_all(now=now):
            name = f"{result.feed.vendor_key} ({result.feed.kind}, feed {result.feed.pk})"
            if result.error:
                self.stdout.write(f"{name}: failed: {result.error}")
            elif result.not_modified:
                self.stdout.write(f"{name}: not modified")
            else:
                self.stdout.write(f"{name}: {len(result.changes)} change(s)")
            for line in result.changes:
                self.stdout.write(f"  {line}")
            for line in result.warnings:
                self.stdout.write(f"  warning: {line}")


def _line(data: dict[str, Any]) -> str:
    return (
        f"{data['id']:>5}  {data['vendor']:<8} {data['status']:<13} {data['impact']:<8} "
        f"{data['title'][:60]:<60} {','.join(data['integrations'])}  "
        f"clients: {len(data['clients'])}"
    )
