"""Fixtures for monitoring: a heartbeat workflow of ``client_a`` and the operator on duty."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone

if TYPE_CHECKING:
    from operant.accounts.models import Client, User
    from operant.monitoring.models import Workflow
    from tests.monitoring.drift_setup import TwilioLive


@pytest.fixture
def operator(db: None) -> User:
    from operant.accounts.services import agent_create

    return agent_create(
        email="oncall@operant.test", name="Olive Operator", password="x" * 20, role="operator"
    )


@pytest.fixture
def make_workflow(client_a: Client) -> Callable[..., Workflow]:
    from operant.monitoring.registry import workflow_create

    def make(**fields: Any) -> Workflow:
        values: dict[str, Any] = {
            "client": client_a,
            "name": "Appointment reminders",
            "platform": "twilio_studio",
            "integration_keys": ["twilio_sms"],
            "period_seconds": 3600,
            "grace_seconds": 600,
            "now": timezone.now(),
        }
        values.update(fields)
        return workflow_create(**values)

    return make


@pytest.fixture
def workflow(make_workflow: Callable[..., Workflow]) -> Workflow:
    return make_workflow()


def run_worker(now: datetime) -> int:
    """One pass of monitoring's jobs, as `operant worker` runs them."""
    from operant.monitoring.jobs import flips_process_due, workflows_process_due

    return workflows_process_due(now=now) + flips_process_due(now=now)


@pytest.fixture
def twilio_account(client_a: Client) -> str:
    """``client_a``'s Twilio account, its token stored encrypted; the account sid."""
    from operant.monitoring.credentials import twilio_account_set
    from tests.monitoring.signed import ACCOUNT_SID, AUTH_TOKEN

    twilio_account_set(
        client_id=client_a.pk, account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, now=timezone.now()
    )
    return ACCOUNT_SID


@pytest.fixture
def sms_workflow(make_workflow: Callable[..., Workflow], twilio_account: str) -> Workflow:
    """A Twilio workflow of ``client_a`` with no heartbeat, known by the number it sends from:
    its state comes from its messages alone (default limit: 25% of at least 10 in 15 min)."""
    from operant.monitoring.registry import Identifiers
    from tests.monitoring.signed import SENDER

    return make_workflow(
        name="Appointment texts", period_seconds=None, identifiers=Identifiers(phones=[SENDER])
    )


# ---- drift: the workflow's live configuration on the local fake of Twilio's API ----------------


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch, client_a: Client) -> Iterator[TwilioLive]:
    from tests.monitoring.drift_setup import TwilioLive

    with TwilioLive.start(monkeypatch, client_a) as running:
        yield running


@pytest.fixture
def start(time_machine: Any) -> datetime:
    """Frozen time: 2026-12-01 17:00 UTC (noon in New York, the client's zone)."""
    now = timezone.now().replace(microsecond=0)
    time_machine.move_to(now, tick=False)
    return now


@pytest.fixture
def recorded(
    live: TwilioLive, make_workflow: Callable[..., Workflow], agent: User, start: datetime
) -> Workflow:
    """A Studio workflow whose live configuration an agent recorded as v1."""
    from operant.monitoring.drift.services import drift_accept_live

    workflow = make_workflow(identifiers=live.identifiers)
    drift_accept_live(workflow=workflow, now=start, author=agent)
    workflow.refresh_from_db()
    return workflow
