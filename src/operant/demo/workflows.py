"""Demo workflows with a believable recent history: most up, one late, one gone down (the
worker opens its outage ticket on its first pass), one paused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.text import slugify

from operant.accounts.models import Client
from operant.monitoring.control import workflow_pause
from operant.monitoring.models import SignalKind, Workflow
from operant.monitoring.pings import Ping, ping_record
from operant.monitoring.registry import Identifiers, workflow_create


@dataclass(frozen=True)
class DemoWorkflow:
    client: str
    name: str
    platform: str
    integrations: tuple[str, ...]
    period_hours: float
    last_ping_hours_ago: float | None  # None: never pinged
    phones: tuple[str, ...] = ()
    copy: str = ""
    paused: str = ""


WORKFLOWS = [
    DemoWorkflow(
        "Brightsmile Dental Clinic",
        "Appointment reminders",
        "twilio_studio",
        ("twilio_sms",),
        1,
        0.3,
        ("+12125550100",),
        "Hi {first_name}, see you {date} at {time}. Reply C to confirm.",
    ),
    DemoWorkflow(
        "Brightsmile Dental Clinic",
        "Missed-call text-back",
        "twilio_functions",
        ("twilio_sms", "twilio_voice"),
        0.5,
        2.0,
        ("+12125550101",),
        "Sorry we missed your call! Reply here and we'll text you back shortly.",
    ),
    DemoWorkflow(
        "Ironworks Fitness",
        "Class waitlist texts",
        "twilio_studio",
        ("twilio_sms",),
        1,
        1.05,
        ("+13125550110",),
        "A spot opened up! Reply YES to take it.",
    ),
    DemoWorkflow(
        "Harbor & Pine Realty Team",
        "Instagram lead replies",
        "instagram",
        ("instagram_messaging",),
        6,
        1.0,
    ),
    DemoWorkflow(
        "Saffron Table Restaurant Group",
        "Reservation confirmations",
        "n8n",
        ("twilio_sms",),
        24,
        3.0,
    ),
    DemoWorkflow(
        "Comfort Air HVAC",
        "After-hours call routing",
        "twilio_studio",
        ("twilio_voice",),
        1,
        None,
        paused="number port in progress",
    ),
]


def demo_workflows_seed(*, now: datetime) -> int:
    """Create the demo workflows that do not exist yet; returns how many were created."""
    created = 0
    for spec in WORKFLOWS:
        client = Client.objects.filter(slug=slugify(spec.client)).first()
        if client is None or Workflow.objects.filter(client=client, name=spec.name).exists():
            continue
        created_at = now - timedelta(days=30)
        workflow = workflow_create(
            client=client,
            name=spec.name,
            platform=spec.platform,
            integration_keys=spec.integrations,
            identifiers=Identifiers(phones=list(spec.phones)),
            period_seconds=int(spec.period_hours * 3600),
            grace_seconds=int(spec.period_hours * 3600 / 4),
            copy=spec.copy,
            now=created_at,
        )
        if spec.last_ping_hours_ago is not None:
            ping_record(
                code=workflow.code,
                ping=Ping(kind=SignalKind.SUCCESS, user_agent="demo"),
                now=now - timedelta(hours=spec.last_ping_hours_ago),
            )
        if spec.paused:
            workflow_pause(workflow=workflow, reason=spec.paused, actor=None, now=now)
        created += 1
    return created
