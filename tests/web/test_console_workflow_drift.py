"""The workflow page shows drift found on Twilio and lets an agent accept what is live."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import timezone

from operant.monitoring.drift.services import (
    CHECK_INTERVAL,
    drift_accept_live,
    workflows_check_drift,
)
from operant.monitoring.models import DriftEvent, Workflow
from tests.monitoring.drift_setup import TwilioLive
from tests.web.monitoring_helpers import make_workflow


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch, client_a) -> Iterator[TwilioLive]:  # type: ignore[no-untyped-def]
    with TwilioLive.start(monkeypatch, client_a) as running:
        yield running


@pytest.fixture
def drifted(live: TwilioLive, client_a, agent, time_machine) -> Workflow:  # type: ignore[no-untyped-def]
    now = timezone.now().replace(microsecond=0)
    time_machine.move_to(now, tick=False)
    workflow = make_workflow(client_a, identifiers=live.identifiers)
    drift_accept_live(workflow=workflow, now=now, author=agent)
    live.point_sms_elsewhere()
    later = now + CHECK_INTERVAL
    time_machine.move_to(later, tick=False)
    workflows_check_drift(now=later)
    return workflow


def test_the_page_shows_the_unrecorded_change_with_its_evidence(
    agent_client, drifted: Workflow
) -> None:  # type: ignore[no-untyped-def]
    page = agent_client.get(f"/console/monitoring/{drifted.pk}/").content.decode()
    assert "1 unrecorded change" in page
    assert "clause 02: client-initiated changes to connected accounts" in page


def test_accepting_the_live_configuration_resolves_the_drift(
    agent_client, drifted: Workflow
) -> None:  # type: ignore[no-untyped-def]
    response = agent_client.post(f"/console/monitoring/{drifted.pk}/accept-live/")
    assert response.status_code == 302
    assert not DriftEvent.objects.filter(resolved_at=None).exists()
    assert drifted.versions.count() == 2


def test_clients_cannot_accept_for_operant(alice_client, charlie_client, drifted: Workflow) -> None:  # type: ignore[no-untyped-def]
    for outsider in (alice_client, charlie_client):
        assert outsider.post(f"/console/monitoring/{drifted.pk}/accept-live/").status_code == 403
    assert DriftEvent.objects.filter(resolved_at=None).count() == 1
