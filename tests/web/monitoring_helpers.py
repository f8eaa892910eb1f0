"""Builders for the monitoring page tests: workflows through the registry, pings through the real
ping endpoint, and the worker's pass that turns flips into tickets and downtime."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.test import Client as HttpClient
from django.utils import timezone

if TYPE_CHECKING:
    from operant.accounts.models import Client
    from operant.monitoring.models import Workflow


def make_workflow(client: Client, name: str = "Appointment reminders", **fields: Any) -> Workflow:
    from operant.monitoring.registry import workflow_create

    values: dict[str, Any] = {
        "platform": "twilio_studio",
        "integration_keys": ["twilio_sms"],
        "period_seconds": 3600,
        "grace_seconds": 600,
    }
    values.update(fields)
    return workflow_create(client=client, name=name, now=timezone.now(), **values)


def ping(workflow: Workflow, action: str = "", body: str = "") -> None:
    path = workflow.ping_path + (f"/{action}" if action else "")
    response = HttpClient().post(path, body, content_type="text/plain")
    assert response.status_code == 200, response.content


def run_worker() -> None:
    from operant.monitoring.jobs import flips_process_due, workflows_process_due

    now = timezone.now()
    workflows_process_due(now=now)
    flips_process_due(now=now)
