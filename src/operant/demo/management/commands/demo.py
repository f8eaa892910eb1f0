"""`operant demo`: seed a believable agency to click around in. Safe to run again."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from operant.accounts.demo import demo_seed
from operant.accounts.demo_data import DEMO_PASSWORD, LOGIN_URL
from operant.core.command import OperantCommand
from operant.demo.requests import demo_requests_seed
from operant.demo.workflows import demo_workflows_seed


class Command(OperantCommand):
    help = "Seed demo clients, contacts and logins (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        report = demo_seed(password=DEMO_PASSWORD)
        now = timezone.now()
        requests = demo_requests_seed(now=now)
        if requests:
            self.stdout.write(f"demo: {requests} support requests fed through the mail pipeline")
        workflows = demo_workflows_seed(now=now)
        if workflows:
            self.stdout.write(f"demo: {workflows} monitored workflows")
        if report.created:
            self.stdout.write(f"demo: created {len(report.created)} records")
        else:
            self.stdout.write("demo: already seeded, nothing to do")
        self.stdout.write(
            f"\nSign in at {LOGIN_URL} (password for every demo login: {DEMO_PASSWORD})"
        )
        for email, role in report.staff_logins:
            self.stdout.write(f"  {role:<9} {email}")
        for email in report.portal_logins:
            self.stdout.write(f"  {'client':<9} {email}  (client portal)")
