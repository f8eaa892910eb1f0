"""A drift check that cannot read the live configuration records a clear failure, does not
crash the worker, is retried later, and alerts the operator once when it keeps failing."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from twilio.http.http_client import TwilioHttpClient

from operant.core.worker import WorkerLoop
from operant.monitoring.credentials import twilio_account_set
from operant.monitoring.drift import live as drift_live
from operant.monitoring.drift.services import (
    ALERT_FAILING_AFTER,
    CHECK_INTERVAL,
    RETRY_AFTER,
    drift_accept_live,
)
from operant.monitoring.errors import MonitoringError
from operant.monitoring.models import DriftEvent, TwilioAccount, Workflow
from operant.notify.models import Notification
from tests.fakes.twilio_api import FakeTwilioApi, FakeTwilioHttpClient
from tests.monitoring.drift_setup import ACCOUNT_SID, TwilioLive

NEW_TOKEN = "fedcba9876543210fedcba9876543210"


def check(time_machine, when) -> Workflow:  # type: ignore[no-untyped-def]
    """One worker pass at ``when`` (every registered job, as ``operant worker`` runs them);
    returns the workflow as stored after it."""
    time_machine.move_to(when, tick=False)
    WorkerLoop().run_once(now=when)
    return Workflow.objects.get()


def assert_failed(workflow: Workflow, *, at, since, message: str) -> None:  # type: ignore[no-untyped-def]
    assert message in workflow.drift_check_message
    assert workflow.drift_check_failing_since == since
    assert workflow.drift_check_due_at == at + RETRY_AFTER
    assert not DriftEvent.objects.exists()


def test_twilio_refusing_the_token_is_recorded_retried_and_cleared_when_fixed(
    live: TwilioLive,
    recorded: Workflow,
    operator,
    start,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    live.api.accounts = {ACCOUNT_SID: NEW_TOKEN}  # the client regenerated its auth token
    first = start + CHECK_INTERVAL
    workflow = check(time_machine, first)
    assert_failed(
        workflow,
        at=first,
        since=first,
        message=f"Twilio refused the credentials of {ACCOUNT_SID} (401, error 20003): the auth "
        "token was changed or revoked; enter the current one",
    )
    assert workflow.drift_checked_at == start  # the last read that worked
    assert workflow.state == recorded.state  # a failed read is not an outage

    twilio_account_set(
        client_id=workflow.client_id, account_sid=ACCOUNT_SID, auth_token=NEW_TOKEN, now=first
    )
    retried = first + RETRY_AFTER
    workflow = check(time_machine, retried)
    assert (workflow.drift_check_message, workflow.drift_check_failing_since) == ("", None)
    assert workflow.drift_checked_at == retried
    assert workflow.drift_check_due_at == retried + CHECK_INTERVAL


def test_a_token_that_cannot_be_decrypted_says_so(
    live: TwilioLive,
    recorded: Workflow,
    start,
    settings,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    settings.OPERANT_CREDENTIALS_KEY = Fernet.generate_key().decode()  # the key was replaced
    reads = len(live.api.requests)
    when = start + CHECK_INTERVAL
    workflow = check(time_machine, when)
    assert len(live.api.requests) == reads  # nothing sent without a token
    assert_failed(
        workflow,
        at=when,
        since=when,
        message=f"Twilio account {ACCOUNT_SID}: a stored credential cannot be decrypted",
    )


def test_a_client_without_twilio_credentials_is_told_apart(
    live: TwilioLive,
    recorded: Workflow,
    start,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    TwilioAccount.objects.all().delete()
    when = start + CHECK_INTERVAL
    assert_failed(
        check(time_machine, when),
        at=when,
        since=when,
        message="no Twilio account is stored for Acme Dental",
    )


def test_twilio_down_is_retried_and_alerts_the_operator_once_when_it_persists(
    live: TwilioLive,
    recorded: Workflow,
    operator,
    start,
    monkeypatch: pytest.MonkeyPatch,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    with FakeTwilioApi() as gone:
        dead_url = gone.base_url
    monkeypatch.setattr(
        drift_live, "twilio_http_client", lambda: FakeTwilioHttpClient(dead_url, timeout=5)
    )
    first = start + CHECK_INTERVAL
    assert_failed(
        check(time_machine, first),
        at=first,
        since=first,
        message=f"Twilio could not be reached reading flow {live.flow_sid} (ConnectionError)",
    )
    assert not Notification.objects.filter(kind="monitoring.alert").exists()  # one blip: quiet

    when = first
    while when - first < ALERT_FAILING_AFTER:
        when += RETRY_AFTER
        assert_failed(check(time_machine, when), at=when, since=first, message="ConnectionError")
    [alert] = Notification.objects.filter(kind="monitoring.alert")
    assert alert.subject == "Drift checks failing: Appointment reminders (Acme Dental)"
    assert "cannot be read since Tuesday, December 1, 2026, 12:15 PM EST" in alert.body_text
    check(time_machine, when + RETRY_AFTER)
    assert Notification.objects.filter(kind="monitoring.alert").count() == 1


def test_twilio_failing_is_recorded_then_the_retry_reads(
    live: TwilioLive,
    recorded: Workflow,
    start,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    live.api.fail_next(status=503, code=20503, message="Service Unavailable")
    first = start + CHECK_INTERVAL
    assert_failed(
        check(time_machine, first),
        at=first,
        since=first,
        message=(
            "Twilio answered 503 (error 20503: Unable to fetch record: Service Unavailable) "
            f"reading flow {live.flow_sid}"
        ),
    )
    live.edit_flow()
    workflow = check(time_machine, first + RETRY_AFTER)
    assert workflow.drift_check_failing_since is None
    assert DriftEvent.objects.get().kind == "flow_changed"


def test_accepting_the_live_configuration_without_a_readable_account_refuses_clearly(
    live: TwilioLive,
    recorded: Workflow,
    agent,
    start,  # type: ignore[no-untyped-def]
) -> None:
    live.api.accounts = {ACCOUNT_SID: NEW_TOKEN}
    with pytest.raises(MonitoringError, match=r"Twilio refused the credentials .* \(401"):
        drift_accept_live(workflow=recorded, now=start, author=agent)


def test_production_reads_through_twilios_client_with_a_timeout() -> None:
    http = drift_live.twilio_http_client()
    assert isinstance(http, TwilioHttpClient)
    assert not isinstance(http, FakeTwilioHttpClient)
    assert http.timeout == drift_live.READ_TIMEOUT_SECONDS
