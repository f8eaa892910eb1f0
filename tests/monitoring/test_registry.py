"""The workflow registry: clause 05 package checks, schedules, identifiers, versions, pausing,
encrypted credentials."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.utils import timezone

from operant.monitoring.control import workflow_pause, workflow_resume
from operant.monitoring.credentials import twilio_account_set, twilio_auth_token
from operant.monitoring.errors import MonitoringError
from operant.monitoring.models import TwilioAccount, Workflow
from operant.monitoring.registry import Identifiers, workflow_version_record
from operant.monitoring.schedule import ScheduleError


def test_it_refuses_an_integration_outside_the_clients_package(
    make_workflow: Callable[..., Workflow],
) -> None:
    with pytest.raises(
        MonitoringError, match=r"Instagram messaging is not in .*Growth package.*clause 05"
    ):
        make_workflow(integration_keys=["instagram_messaging"])
    assert not Workflow.objects.exists()


def test_it_refuses_an_unknown_integration_naming_the_known_ones(
    make_workflow: Callable[..., Workflow],
) -> None:
    with pytest.raises(MonitoringError, match=r"unknown integration 'fax'; known: .*twilio_sms"):
        make_workflow(integration_keys=["fax"])


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"period_seconds": None, "cron": "0 0 30 2 *"}, "never fires"),
        ({"period_seconds": None, "cron": "61 * * * *"}, "is not valid"),
        ({"period_seconds": None, "cron": "* * *"}, "expected 5 fields"),
        ({"period_seconds": None, "cron": "0 9 * * *", "tz": "Mars/Base"}, "unknown time zone"),
        ({"period_seconds": 5}, "period must be"),
        ({"period_seconds": 60, "cron": "0 9 * * *"}, "not both"),
        ({"grace_seconds": 0}, "grace must be"),
    ],
)
def test_it_refuses_a_schedule_that_cannot_work(
    make_workflow: Callable[..., Workflow], fields: dict[str, object], message: str
) -> None:
    with pytest.raises(ScheduleError, match=message):
        make_workflow(**fields)


def test_it_refuses_malformed_identifiers(make_workflow: Callable[..., Workflow]) -> None:
    with pytest.raises(MonitoringError, match="phone number '555-1234' is not valid"):
        make_workflow(identifiers=Identifiers(phones=["555-1234"]))
    with pytest.raises(MonitoringError, match="resource sid 'FW123' is not valid"):
        make_workflow(identifiers=Identifiers(sids=["FW123"]))


def test_it_refuses_a_second_workflow_with_the_same_name(
    make_workflow: Callable[..., Workflow], workflow: Workflow
) -> None:
    with pytest.raises(MonitoringError, match="already has a workflow named"):
        make_workflow()


def test_each_change_of_logic_or_copy_is_a_version_with_a_diff(workflow: Workflow, agent) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    first = workflow_version_record(
        workflow=workflow, logic="send at 9:00", copy="Hi {name}!", author=agent, now=now
    )
    second = workflow_version_record(
        workflow=workflow, logic="send at 10:00", copy="Hi {name}!", author=agent, now=now
    )
    assert (first.number, second.number) == (1, 2)
    assert "-logic: send at 9:00" in second.diff
    assert "+logic: send at 10:00" in second.diff
    assert "copy: Hi {name}!" not in second.diff.replace(" copy: Hi {name}!", "")
    with pytest.raises(MonitoringError, match="nothing changed"):
        workflow_version_record(
            workflow=workflow, logic="send at 10:00", copy="Hi {name}!", author=agent, now=now
        )


def test_a_paused_workflow_is_paused_with_its_reason_and_resumes(workflow: Workflow, agent) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    with pytest.raises(MonitoringError, match="say why"):
        workflow_pause(workflow=workflow, reason=" ", actor=agent, now=now)
    workflow = workflow_pause(
        workflow=workflow, reason="client migrating numbers", actor=agent, now=now
    )
    assert (workflow.state, workflow.state_reason) == ("paused", "client migrating numbers")
    assert workflow.flips.get().new_state == "paused"
    workflow = workflow_resume(workflow=workflow, actor=agent, now=now)
    assert workflow.state == "new"


def test_twilio_tokens_are_stored_encrypted(client_a) -> None:  # type: ignore[no-untyped-def]
    sid = "AC" + "a" * 32
    token = "0123456789abcdef0123456789abcdef"
    twilio_account_set(client_id=client_a.pk, account_sid=sid, auth_token=token, now=timezone.now())
    stored = TwilioAccount.objects.get().auth_token_encrypted
    assert token not in stored
    assert twilio_auth_token(sid) == token
    assert twilio_auth_token("AC" + "b" * 32) is None
    with pytest.raises(MonitoringError, match="not a Twilio account sid"):
        twilio_account_set(
            client_id=client_a.pk, account_sid="XX1", auth_token=token, now=timezone.now()
        )
