"""Twilio's message status callback: signatures checked with the official library, the
workflow found, each callback stored once, final outcomes counted."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from twilio.request_validator import RequestValidator

from operant.accounts.models import Client
from operant.monitoring.credentials import twilio_account_set
from operant.monitoring.models import MessageOutcomes, RejectedRequest, Signal, Workflow
from operant.monitoring.registry import Identifiers
from tests.monitoring.signed import (
    AUTH_TOKEN,
    FORM,
    HOST,
    OTHER_ACCOUNT_SID,
    OTHER_AUTH_TOKEN,
    SENDER,
    STATUS_PATH,
    send_status,
    status_fields,
    twilio_post,
    twilio_signature,
)


def outcomes(workflow: Workflow) -> tuple[int, int]:
    rows = MessageOutcomes.objects.filter(workflow=workflow)
    return sum(r.delivered for r in rows), sum(r.failed for r in rows)


def test_a_signed_callback_is_stored_and_brings_the_workflow_up(
    client, sms_workflow: Workflow
) -> None:  # type: ignore[no-untyped-def]
    assert sms_workflow.state == "new"
    response = send_status(client, 1, "delivered")
    assert response.content == b"OK"
    signal = Signal.objects.get()
    assert (signal.source, signal.kind, signal.provider_key) == (
        "twilio_status",
        "success",
        f"SM{1:032x}:delivered",
    )
    assert signal.detail["from"] == SENDER
    sms_workflow.refresh_from_db()
    assert sms_workflow.state == "up"
    assert sms_workflow.last_event_at == sms_workflow.last_signal_at == signal.at
    assert outcomes(sms_workflow) == (1, 0)


def test_statuses_before_the_final_one_are_recorded_but_not_counted(
    client, sms_workflow: Workflow
) -> None:  # type: ignore[no-untyped-def]
    for status in ("queued", "sent", "delivered", "read"):
        send_status(client, 1, status)
    assert Signal.objects.count() == 4
    assert list(Signal.objects.order_by("pk").values_list("kind", flat=True)) == [
        "event",
        "event",
        "success",
        "event",
    ]
    assert outcomes(sms_workflow) == (1, 0)


def test_a_replayed_callback_is_applied_once(client, sms_workflow: Workflow) -> None:  # type: ignore[no-untyped-def]
    send_status(client, 7, "undelivered", error_code="30003")
    send_status(client, 7, "undelivered", error_code="30003")  # Twilio retried, or a replay
    assert Signal.objects.count() == 1
    assert outcomes(sms_workflow) == (0, 1)


def test_the_workflow_code_in_the_url_names_the_workflow(
    client, make_workflow: Callable[..., Workflow], twilio_account: str
) -> None:  # type: ignore[no-untyped-def]
    workflow = make_workflow(period_seconds=None)  # no number registered at all
    fields = status_fields(3, "delivered", sender="+15559990000")
    response = twilio_post(client, STATUS_PATH, fields, query=f"workflow={workflow.code}")
    assert response.status_code == 200
    assert Signal.objects.get().workflow_id == workflow.pk


def test_an_unknown_workflow_code_is_404_and_nothing_is_stored(
    client, sms_workflow: Workflow
) -> None:  # type: ignore[no-untyped-def]
    fields = status_fields(3, "delivered")
    response = twilio_post(client, STATUS_PATH, fields, query=f"workflow={uuid.uuid4()}")
    assert response.status_code == 404
    response = twilio_post(client, STATUS_PATH, fields, query="workflow=not-a-uuid")
    assert response.status_code == 400
    assert b"UUID" in response.content
    assert not Signal.objects.exists()


def test_a_callback_for_a_number_no_workflow_has_is_acknowledged_and_dropped(
    client, sms_workflow: Workflow
) -> None:  # type: ignore[no-untyped-def]
    send_status(client, 1, "delivered", sender="+15557770000")
    assert not Signal.objects.exists()
    assert not RejectedRequest.objects.exists()


def refused(response: Any, reason: str, caplog: pytest.LogCaptureFixture) -> None:
    assert response.status_code == 403
    assert not Signal.objects.exists()
    assert not MessageOutcomes.objects.exists()
    rejected = RejectedRequest.objects.get()
    assert rejected.endpoint == "twilio_status"
    assert reason in rejected.reason
    assert any(reason in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("forged", "bad signature"),
        ("tampered", "bad signature"),
        ("other_url", "bad signature"),
        ("unsigned", "unsigned"),
        ("unknown_account", "unknown Twilio account"),
    ],
)
def test_forged_unsigned_and_unknown_account_callbacks_are_refused(
    client, sms_workflow: Workflow, caplog: pytest.LogCaptureFixture, case: str, reason: str
) -> None:  # type: ignore[no-untyped-def]
    fields = status_fields(1, "failed", error_code="30007")
    signature: str | None = None
    if case == "forged":  # the right account named, signed with a token that is not its own
        signature = twilio_signature(HOST + STATUS_PATH, fields, OTHER_AUTH_TOKEN)
    elif case == "tampered":  # signed as "delivered", then changed on the way
        signature = twilio_signature(HOST + STATUS_PATH, status_fields(1, "delivered"))
    elif case == "other_url":  # a signature captured for another endpoint
        signature = twilio_signature(HOST + "/webhooks/twilio/alerts", fields)
    elif case == "unsigned":
        signature = ""
    elif case == "unknown_account":
        fields = status_fields(1, "failed", error_code="30007", account_sid=OTHER_ACCOUNT_SID)
        signature = twilio_signature(HOST + STATUS_PATH, fields, OTHER_AUTH_TOKEN)
    with caplog.at_level(logging.WARNING):
        response = twilio_post(client, STATUS_PATH, fields, signature=signature)
    refused(response, reason, caplog)


def test_one_clients_account_cannot_report_for_another_clients_workflow(
    client,
    make_workflow: Callable[..., Workflow],
    client_c: Client,
    twilio_account: str,
    caplog: pytest.LogCaptureFixture,
) -> None:  # type: ignore[no-untyped-def]
    theirs = make_workflow(
        client=client_c, period_seconds=None, identifiers=Identifiers(phones=[SENDER])
    )
    # By number: client_a's account does not see client_c's number.
    send_status(client, 1, "failed", error_code="30007")
    assert not Signal.objects.exists()
    # By code: signed by client_a's account, naming client_c's workflow.
    with caplog.at_level(logging.WARNING):
        response = twilio_post(
            client, STATUS_PATH, status_fields(2, "failed"), query=f"workflow={theirs.code}"
        )
    refused(response, "is not a workflow of Twilio account", caplog)


def test_without_any_twilio_token_the_endpoint_answers_503(client, db) -> None:  # type: ignore[no-untyped-def]
    response = twilio_post(client, STATUS_PATH, status_fields(1, "delivered"))
    assert response.status_code == 503
    assert not RejectedRequest.objects.exists()


def test_operants_own_account_reports_for_any_clients_workflow(
    client, make_workflow: Callable[..., Workflow], settings: Any
) -> None:  # type: ignore[no-untyped-def]
    settings.OPERANT_TWILIO_ACCOUNT_SID = OTHER_ACCOUNT_SID
    settings.OPERANT_TWILIO_AUTH_TOKEN = OTHER_AUTH_TOKEN
    workflow = make_workflow(period_seconds=None, identifiers=Identifiers(phones=[SENDER]))
    fields = status_fields(1, "delivered", account_sid=OTHER_ACCOUNT_SID)
    assert twilio_post(client, STATUS_PATH, fields, token=OTHER_AUTH_TOKEN).status_code == 200
    assert Signal.objects.get().workflow_id == workflow.pk


def test_a_subaccounts_callback_is_checked_with_its_own_token(
    client, make_workflow: Callable[..., Workflow], client_a: Client, twilio_account: str
) -> None:  # type: ignore[no-untyped-def]
    twilio_account_set(
        client_id=client_a.pk,
        account_sid=OTHER_ACCOUNT_SID,
        auth_token=OTHER_AUTH_TOKEN,
        now=timezone.now(),
    )
    workflow = make_workflow(period_seconds=None, identifiers=Identifiers(phones=[SENDER]))
    fields = status_fields(1, "delivered", account_sid=OTHER_ACCOUNT_SID)
    assert twilio_post(client, STATUS_PATH, fields, token=AUTH_TOKEN).status_code == 403
    assert twilio_post(client, STATUS_PATH, fields, token=OTHER_AUTH_TOKEN).status_code == 200
    assert Signal.objects.get().workflow_id == workflow.pk


def test_a_callback_signed_for_the_public_address_behind_a_proxy_is_accepted(
    client, sms_workflow: Workflow, settings: Any
) -> None:  # type: ignore[no-untyped-def]
    settings.OPERANT_BASE_URL = "https://desk.operant.example"
    fields = status_fields(1, "delivered")
    public = f"https://desk.operant.example{STATUS_PATH}"
    assert twilio_post(client, STATUS_PATH, fields, signed_url=public).status_code == 200
    elsewhere = f"https://evil.example{STATUS_PATH}"
    assert twilio_post(client, STATUS_PATH, fields, signed_url=elsewhere).status_code == 403


def test_a_sha256_signature_named_in_the_settings_header_is_checked_with_it(
    client, sms_workflow: Workflow
) -> None:  # type: ignore[no-untyped-def]
    fields = status_fields(1, "delivered")
    signature = RequestValidator(AUTH_TOKEN).compute_signature(
        HOST + STATUS_PATH, fields, "HMAC_SHA256"
    )
    response = client.post(
        STATUS_PATH,
        data=urlencode(fields),
        content_type=FORM,
        HTTP_X_TWILIO_SIGNATURE=signature,
        HTTP_X_TWILIO_WEBHOOKS_SIGNATURE_SETTINGS="key=webhooks_sharedkey_1,algorithm=HMAC_SHA256",
    )
    assert response.status_code == 200
    assert Signal.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"MessageSid": "SM123"}, b"MessageSid must be"),
        ({"MessageStatus": "DROP TABLE"}, b"MessageStatus must be"),
    ],
)
def test_a_signed_callback_with_unreadable_fields_is_400(
    client, sms_workflow: Workflow, fields: dict[str, str], message: bytes
) -> None:  # type: ignore[no-untyped-def]
    bad = {**status_fields(1, "delivered"), **fields}
    bad.pop("SmsSid"), bad.pop("SmsStatus")
    response = twilio_post(client, STATUS_PATH, bad)
    assert response.status_code == 400
    assert message in response.content
    assert not Signal.objects.exists()


def test_only_post_is_accepted(client, db) -> None:  # type: ignore[no-untyped-def]
    assert client.get(STATUS_PATH).status_code == 405


def test_a_callback_costs_a_few_queries_and_no_scan(client, sms_workflow: Workflow) -> None:  # type: ignore[no-untyped-def]
    send_status(client, 1, "delivered")  # the minute's counter row exists from here
    with CaptureQueriesContext(connection) as delivered:
        send_status(client, 2, "delivered")
    with CaptureQueriesContext(connection) as sent:
        send_status(client, 3, "sent")
    # Account, identifiers, which of them are the account's client's, (savepoint), lock,
    # signal, counter, window, workflow, (release); a status that is not an outcome skips the
    # counter and the window.
    assert len(delivered.captured_queries) <= 10, delivered.captured_queries
    assert len(sent.captured_queries) <= 8, sent.captured_queries
    window = [
        q["sql"]
        for q in delivered.captured_queries
        if q["sql"].startswith("SELECT") and 'FROM "monitoring_messageoutcomes"' in q["sql"]
    ]
    assert len(window) == 1
    assert 'WHERE "workflow_id" = ' in window[0]  # by its unique key
    assert not any("monitoring_messageoutcomes" in q["sql"] for q in sent.captured_queries)
