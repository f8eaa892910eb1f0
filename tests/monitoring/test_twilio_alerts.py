"""Twilio Debugger alerts (the console's error webhook): signed like every Twilio webhook,
matched to the workflow by its resource sids or numbers, stored once per alert Sid; errors
count as failed messages under the same rate rule, warnings are only recorded."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from operant.monitoring.models import MessageOutcomes, RejectedRequest, Signal, Workflow
from operant.monitoring.registry import Identifiers
from tests.monitoring.signed import (
    ACCOUNT_SID,
    ALERTS_PATH,
    HOST,
    OTHER_AUTH_TOKEN,
    SENDER,
    twilio_post,
    twilio_signature,
)

FLOW_SID = "FW" + "c3" * 16
NUMBER_SID = "PN" + "d4" * 16
CALL_SID = "CA" + "e5" * 16


def alert_fields(
    n: int,
    *,
    level: str = "Error",
    error_code: str = "11200",
    resource_sid: str = FLOW_SID,
    at: Any = None,
    webhook_from: str | None = None,
) -> dict[str, str]:
    """A Debugger event as Twilio posts it: form fields, the details in a JSON Payload."""
    payload: dict[str, Any] = {
        "resource_sid": resource_sid,
        "service_sid": None,
        "error_code": error_code,
        "more_info": {
            "msg": "An attempt to retrieve content from https://hooks.example/flow returned 502",
            "sourceComponent": "14100",
            "httpResponse": "502",
            "url": "https://hooks.example/flow",
            "LogLevel": level.upper(),
        },
    }
    if webhook_from is not None:
        payload["webhook"] = {
            "type": "application/json",
            "request": {
                "url": "https://hooks.example/flow",
                "method": "POST",
                "parameters": {"AccountSid": ACCOUNT_SID, "From": webhook_from, "To": "+1202"},
            },
        }
    return {
        "AccountSid": ACCOUNT_SID,
        "Sid": f"NO{n:032x}",
        "Timestamp": (at or timezone.now()).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Level": level,
        "PayloadType": "application/json",
        "Payload": json.dumps(payload),
    }


@pytest.fixture
def flow_workflow(make_workflow: Callable[..., Workflow], twilio_account: str) -> Workflow:
    return make_workflow(
        name="Missed-call text-back",
        period_seconds=None,
        identifiers=Identifiers(phones=[SENDER], sids=[FLOW_SID, NUMBER_SID]),
    )


def post_alert(client, fields: dict[str, str]) -> Any:  # type: ignore[no-untyped-def]
    return twilio_post(client, ALERTS_PATH, fields)


def test_an_error_alert_is_matched_by_its_resource_sid_and_counted_as_a_failure(
    client, flow_workflow: Workflow
) -> None:  # type: ignore[no-untyped-def]
    response = post_alert(client, alert_fields(1))
    assert response.status_code == 200
    signal = Signal.objects.get()
    assert (signal.workflow_id, signal.source, signal.kind) == (
        flow_workflow.pk,
        "twilio_alert",
        "fail",
    )
    assert signal.provider_key == f"NO{1:032x}"
    assert signal.detail["error_group"] == "own_code"
    assert "returned 502" in signal.body
    row = MessageOutcomes.objects.get(workflow=flow_workflow)
    assert (row.delivered, row.failed) == (0, 1)
    flow_workflow.refresh_from_db()
    assert flow_workflow.state == "new"  # one error is below the minimum count: not down


def test_an_alert_is_matched_by_a_number_in_its_payload(client, flow_workflow: Workflow) -> None:  # type: ignore[no-untyped-def]
    fields = alert_fields(2, resource_sid=CALL_SID, webhook_from=SENDER)
    assert post_alert(client, fields).status_code == 200
    assert Signal.objects.get().workflow_id == flow_workflow.pk


def test_an_alert_naming_no_workflow_is_acknowledged_and_dropped(
    client, flow_workflow: Workflow
) -> None:  # type: ignore[no-untyped-def]
    assert post_alert(client, alert_fields(3, resource_sid=CALL_SID)).status_code == 200
    assert not Signal.objects.exists()


def test_a_warning_is_recorded_but_not_counted(client, flow_workflow: Workflow) -> None:  # type: ignore[no-untyped-def]
    assert post_alert(client, alert_fields(4, level="Warning")).status_code == 200
    assert Signal.objects.get().kind == "log"
    assert not MessageOutcomes.objects.exists()


def test_a_replayed_alert_is_applied_once(client, flow_workflow: Workflow) -> None:  # type: ignore[no-untyped-def]
    assert post_alert(client, alert_fields(5)).status_code == 200
    assert post_alert(client, alert_fields(5)).status_code == 200
    assert Signal.objects.count() == 1
    assert MessageOutcomes.objects.get().failed == 1


def test_error_alerts_take_the_workflow_down_by_the_same_rate_rule(
    client, flow_workflow: Workflow
) -> None:  # type: ignore[no-untyped-def]
    for n in range(9):
        post_alert(client, alert_fields(n))
    flow_workflow.refresh_from_db()
    assert flow_workflow.state == "new"
    post_alert(client, alert_fields(9))  # the tenth outcome, all failed
    flow_workflow.refresh_from_db()
    assert flow_workflow.state == "down"
    assert flow_workflow.state_reason.startswith("10 of 10 messages failed")


def test_opted_out_errors_are_not_counted(client, flow_workflow: Workflow) -> None:  # type: ignore[no-untyped-def]
    assert post_alert(client, alert_fields(1, error_code="21610")).status_code == 200
    assert Signal.objects.get().detail["error_group"] == "opted_out"
    assert not MessageOutcomes.objects.exists()


def test_forged_unsigned_and_stale_alerts_are_refused(
    client, flow_workflow: Workflow, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    fields = alert_fields(1)
    forged = twilio_signature(HOST + ALERTS_PATH, fields, OTHER_AUTH_TOKEN)
    stale = alert_fields(2, at=timezone.now() - timedelta(hours=25))
    with caplog.at_level(logging.WARNING):
        assert twilio_post(client, ALERTS_PATH, fields, signature=forged).status_code == 403
        assert twilio_post(client, ALERTS_PATH, fields, signature="").status_code == 403
        assert post_alert(client, stale).status_code == 403
    assert not Signal.objects.exists()
    reasons = list(RejectedRequest.objects.order_by("pk").values_list("reason", flat=True))
    assert [r.split(" ")[0] for r in reasons] == ["bad", "unsigned", "stale"]
    assert {r.endpoint for r in RejectedRequest.objects.all()} == {"twilio_alerts"}
    assert sum("twilio_alerts webhook refused" in r.getMessage() for r in caplog.records) == 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"Payload": "{not json"}, b"Payload must be a JSON object"),
        ({"Payload": "[1, 2]"}, b"Payload must be a JSON object"),
        ({"Timestamp": "yesterday"}, b"Timestamp must be"),
        ({"Level": "Panic"}, b"Level must be"),
        ({"Sid": "NO1"}, b"Sid must be"),
    ],
)
def test_a_signed_alert_that_cannot_be_read_is_400(
    client, flow_workflow: Workflow, change: dict[str, str], message: bytes
) -> None:  # type: ignore[no-untyped-def]
    response = post_alert(client, {**alert_fields(1), **change})
    assert response.status_code == 400
    assert message in response.content
    assert not Signal.objects.exists()
