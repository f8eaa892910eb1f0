"""A workflow that flips more often than the policy allows alerts once, then summarises."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from operant.monitoring.models import Flip, Workflow
from operant.notify.models import Notification
from tests.monitoring.conftest import run_worker


def _flip_once(client, workflow: Workflow, suffix: str, time_machine, at) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(at, tick=False)
    assert client.post(f"{workflow.ping_path}{suffix}").status_code == 200
    run_worker(at)


def test_flapping_alerts_once_then_summarises(
    client, workflow: Workflow, operator, time_machine
) -> None:  # type: ignore[no-untyped-def]
    start = timezone.now()
    # Ten flips two minutes apart: the shipped policy allows 4 within 30 minutes.
    for n in range(10):
        _flip_once(
            client,
            workflow,
            "/fail" if n % 2 == 0 else "",
            time_machine,
            start + timedelta(minutes=2 * n),
        )
    outcomes = list(Flip.objects.order_by("pk").values_list("outcome", flat=True))
    assert outcomes[:4] == ["alerted"] * 4
    assert outcomes[4] == "alerted (flapping)"
    assert outcomes[5:] == ["damped"] * 5
    alerts = Notification.objects.filter(kind="monitoring.alert").order_by("pk")
    assert alerts.count() == 5
    assert "is flapping" in alerts.last().body_text

    # Calm for longer than the window: the next change alerts again, with the summary.
    _flip_once(client, workflow, "/fail", time_machine, start + timedelta(minutes=60))
    assert Flip.objects.latest("pk").outcome == "alerted"
    summary = Notification.objects.filter(kind="monitoring.alert").latest("pk")
    assert "5 state changes went unalerted" in summary.body_text
