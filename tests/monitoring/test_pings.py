"""The ping endpoint: healthchecks.io's URL forms, methods, run ids, bodies and bad input."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from operant.monitoring.models import Signal, Workflow


@pytest.mark.parametrize("method", ["get", "head", "post"])
def test_every_method_counts_as_a_ping(client, workflow: Workflow, method: str) -> None:  # type: ignore[no-untyped-def]
    response = getattr(client, method)(workflow.ping_path)
    assert response.status_code == 200
    workflow.refresh_from_db()
    assert workflow.state == "up"
    assert Signal.objects.get().method == method.upper()


@pytest.mark.parametrize(
    ("suffix", "kind", "state"),
    [
        ("/start", "start", "new"),
        ("/fail", "fail", "down"),
        ("/log", "log", "new"),
        ("/0", "success", "up"),
        ("/7", "fail", "down"),
    ],
)
def test_each_url_form_records_its_kind(
    client, workflow: Workflow, suffix: str, kind: str, state: str
) -> None:  # type: ignore[no-untyped-def]
    assert client.post(f"{workflow.ping_path}{suffix}").status_code == 200
    signal = Signal.objects.get()
    assert signal.kind == kind
    workflow.refresh_from_db()
    assert workflow.state == state


def test_a_log_ping_changes_no_state(client, workflow: Workflow) -> None:  # type: ignore[no-untyped-def]
    client.post(workflow.ping_path)
    client.post(f"{workflow.ping_path}/log", data=b"note", content_type="text/plain")
    workflow.refresh_from_db()
    assert workflow.state == "up"
    assert workflow.flips.count() == 1


def test_a_run_id_pairs_start_and_finish_and_records_the_duration(
    client, workflow: Workflow, time_machine
) -> None:  # type: ignore[no-untyped-def]
    rid = uuid.uuid4()
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    client.post(f"{workflow.ping_path}/start?rid={rid}")
    time_machine.move_to(start + timedelta(seconds=42), tick=False)
    client.post(f"{workflow.ping_path}/start?rid={uuid.uuid4()}")  # another run, overlapping
    time_machine.move_to(start + timedelta(seconds=90), tick=False)
    client.post(f"{workflow.ping_path}?rid={rid}")
    finish = Signal.objects.get(kind="success")
    assert finish.duration_ms == 90_000


def test_a_started_run_that_never_finishes_goes_down_after_the_grace(
    client, workflow: Workflow, time_machine
) -> None:  # type: ignore[no-untyped-def]
    from tests.monitoring.conftest import run_worker

    start = timezone.now()
    time_machine.move_to(start, tick=False)
    client.post(workflow.ping_path)
    client.post(f"{workflow.ping_path}/start")
    run_worker(start + timedelta(seconds=601))
    workflow.refresh_from_db()
    assert workflow.state == "down"
    assert "did not finish" in workflow.state_reason


def test_unknown_and_malformed_ids_are_404_and_store_nothing(client, workflow: Workflow) -> None:  # type: ignore[no-untyped-def]
    assert client.post(f"/ping/{uuid.uuid4()}").status_code == 404
    assert client.post("/ping/not-a-uuid").status_code == 404
    assert client.post(f"/ping/{uuid.uuid4()}/fail").status_code == 404
    assert not Signal.objects.exists()


def test_exit_status_above_255_is_refused(client, workflow: Workflow) -> None:  # type: ignore[no-untyped-def]
    response = client.post(f"{workflow.ping_path}/256")
    assert response.status_code == 400
    assert b"0 to 255" in response.content
    assert not Signal.objects.exists()


def test_a_bad_run_id_is_refused(client, workflow: Workflow) -> None:  # type: ignore[no-untyped-def]
    assert client.post(f"{workflow.ping_path}?rid=nope").status_code == 400
    assert not Signal.objects.exists()


def test_a_body_over_the_limit_is_cut_and_the_answer_says_so(
    client, workflow: Workflow, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.OPERANT_PING_BODY_LIMIT = 100
    response = client.post(workflow.ping_path, data=b"x" * 5000, content_type="text/plain")
    assert response.content == b"OK (body truncated)"
    signal = Signal.objects.get()
    assert signal.body == "x" * 100
    assert signal.body_truncated


def test_other_methods_are_refused(client, workflow: Workflow) -> None:  # type: ignore[no-untyped-def]
    assert client.put(workflow.ping_path).status_code == 405
    assert not Signal.objects.exists()


def test_a_runaway_loop_is_throttled_and_its_extra_pings_not_stored(
    client, workflow: Workflow, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from operant.monitoring import views
    from operant.monitoring.throttle import TokenBuckets

    monkeypatch.setattr(views, "per_workflow", TokenBuckets(rate=0.001, burst=3))
    answers = [client.get(workflow.ping_path).status_code for _ in range(5)]
    assert answers == [200, 200, 200, 429, 429]
    assert Signal.objects.count() == 3


def test_guessing_codes_is_throttled_per_network(client, db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from operant.monitoring import views
    from operant.monitoring.throttle import TokenBuckets

    monkeypatch.setattr(views, "unknown_per_network", TokenBuckets(rate=0.001, burst=2))
    answers = [client.get(f"/ping/{uuid.uuid4()}").status_code for _ in range(4)]
    assert answers == [404, 404, 429, 429]


def test_a_bucket_refills_with_time() -> None:
    from operant.monitoring.throttle import TokenBuckets

    now = [0.0]
    buckets = TokenBuckets(rate=2, burst=2, clock=lambda: now[0])
    assert [buckets.allow("k") for _ in range(3)] == [True, True, False]
    now[0] = 0.5  # one token back
    assert [buckets.allow("k") for _ in range(2)] == [True, False]
    assert buckets.allow("other")
