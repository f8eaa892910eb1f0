"""Meta (Instagram) webhooks: the hub.challenge handshake, X-Hub-Signature-256 built the way
Meta documents it (plus forged ones), events recorded per Instagram account, replays stored
once, and the silence rule's whole cycle with the worker."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from operant.accounts.models import Client
from operant.desk.models import MessageKind, Ticket
from operant.monitoring.models import Downtime, RejectedRequest, Signal, Workflow
from operant.monitoring.registry import Identifiers, workflow_create
from operant.notify.models import Notification
from tests.monitoring.conftest import run_worker
from tests.monitoring.signed import (
    META_PATH,
    META_SECRET,
    META_VERIFY_TOKEN,
    meta_body,
    meta_post,
    meta_signature,
)

IG_ACCOUNT = "17841400000000001"
OTHER_IG_ACCOUNT = "17841400000000999"


@pytest.fixture(autouse=True)
def meta_settings(settings: Any) -> None:
    settings.OPERANT_META_APP_SECRET = META_SECRET
    settings.OPERANT_META_VERIFY_TOKEN = META_VERIFY_TOKEN


@pytest.fixture
def studio(catalog: None) -> Client:
    from operant.accounts.services import client_create

    return client_create(
        name="Lumen Studio",
        package_key="omnichannel",
        timezone="America/New_York",
        emails=["lena@lumen-studio.example"],
    )


@pytest.fixture
def ig_workflow(studio: Client) -> Workflow:
    """An Instagram DM automation that must hear from Meta at least every 6 hours."""
    return workflow_create(
        client=studio,
        name="DM auto-replies",
        platform="instagram",
        integration_keys=["instagram_messaging"],
        identifiers=Identifiers(accounts=[IG_ACCOUNT]),
        silence_hours=6,
        now=timezone.now(),
    )


def epoch_ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def dm(mid: str, *, account: str = IG_ACCOUNT, at: datetime | None = None) -> dict[str, Any]:
    """An Instagram messaging webhook, in the format Meta documents."""
    when = epoch_ms(at or timezone.now())
    return {
        "object": "instagram",
        "entry": [
            {
                "id": account,
                "time": when,
                "messaging": [
                    {
                        "sender": {"id": "5532498212345678"},
                        "recipient": {"id": account},
                        "timestamp": when,
                        "message": {"mid": mid, "text": "Do you have openings on Friday?"},
                    }
                ],
            }
        ],
    }


def comment(comment_id: str, *, at: datetime | None = None) -> dict[str, Any]:
    return {
        "object": "instagram",
        "entry": [
            {
                "id": IG_ACCOUNT,
                "time": int((at or timezone.now()).timestamp()),
                "changes": [
                    {
                        "field": "comments",
                        "value": {
                            "id": comment_id,
                            "text": "Love this!",
                            "from": {"id": "232323232", "username": "fan"},
                            "media": {"id": "123123123", "media_product_type": "FEED"},
                        },
                    }
                ],
            }
        ],
    }


def test_the_handshake_echoes_the_challenge_for_the_right_token(client, db) -> None:  # type: ignore[no-untyped-def]
    query = {
        "hub.mode": "subscribe",
        "hub.verify_token": META_VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    response = client.get(META_PATH, query)
    assert response.status_code == 200
    assert response.content == b"1158201444"


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": META_VERIFY_TOKEN, "hub.challenge": "1"},
        {"hub.challenge": "1"},
    ],
)
def test_a_handshake_with_a_wrong_token_is_refused(
    client, db, query: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.WARNING):
        response = client.get(META_PATH, query)
    assert response.status_code == 403
    assert b"1" not in response.content
    assert RejectedRequest.objects.get().endpoint == "meta"
    assert any("meta webhook refused" in r.getMessage() for r in caplog.records)


def test_without_its_secrets_the_endpoint_answers_503(client, db, settings: Any) -> None:  # type: ignore[no-untyped-def]
    settings.OPERANT_META_APP_SECRET = ""
    settings.OPERANT_META_VERIFY_TOKEN = ""
    assert meta_post(client, dm("m1")).status_code == 503
    query = {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}
    assert client.get(META_PATH, query).status_code == 503
    assert not Signal.objects.exists()


def test_a_signed_event_is_recorded_for_the_account_and_brings_the_workflow_up(
    client, ig_workflow: Workflow
) -> None:  # type: ignore[no-untyped-def]
    response = meta_post(client, dm("aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAw"))
    assert response.status_code == 200
    signal = Signal.objects.get()
    assert (signal.workflow_id, signal.source, signal.kind) == (ig_workflow.pk, "meta", "event")
    assert signal.detail == {"account": IG_ACCOUNT, "kind": "messaging", "summary": "message"}
    assert "openings on Friday" in signal.body
    ig_workflow.refresh_from_db()
    assert ig_workflow.state == "up"
    assert ig_workflow.last_event_at == signal.at
    assert ig_workflow.due_at == signal.at + timedelta(hours=6)


def test_a_comment_change_is_an_event_too(client, ig_workflow: Workflow) -> None:  # type: ignore[no-untyped-def]
    assert meta_post(client, comment("17865799348089039")).status_code == 200
    assert Signal.objects.get().detail["summary"] == "comments"


def test_a_replayed_post_is_stored_once_and_a_retried_batch_adds_only_the_new_items(
    client, ig_workflow: Workflow
) -> None:  # type: ignore[no-untyped-def]
    first = dm("mid.1")
    assert meta_post(client, first).status_code == 200
    assert meta_post(client, first).status_code == 200
    assert Signal.objects.count() == 1
    batch = dm("mid.1")
    batch["entry"].append(dm("mid.2")["entry"][0])
    assert meta_post(client, batch).status_code == 200
    assert Signal.objects.count() == 2


@pytest.mark.parametrize("case", ["forged", "unsigned", "tampered", "not_hex", "no_prefix"])
def test_forged_and_unsigned_posts_are_refused(
    client, ig_workflow: Workflow, case: str, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    body = meta_body(dm("mid.1"))
    signature = {
        "forged": meta_signature(body, "not-the-app-secret"),
        "unsigned": "",
        "tampered": meta_signature(meta_body(dm("mid.other"))),
        "not_hex": "sha256=zz" + "0" * 62,
        "no_prefix": meta_signature(body).removeprefix("sha256="),
    }[case]
    with caplog.at_level(logging.WARNING):
        response = meta_post(client, body, signature=signature)
    assert response.status_code == 403
    assert not Signal.objects.exists()
    assert RejectedRequest.objects.get().endpoint == "meta"
    ig_workflow.refresh_from_db()
    assert ig_workflow.last_event_at is None


def test_a_stale_post_is_refused(client, ig_workflow: Workflow) -> None:  # type: ignore[no-untyped-def]
    old = timezone.now() - timedelta(hours=40)  # Meta stops retrying after 36 hours
    assert meta_post(client, dm("mid.old", at=old)).status_code == 403
    assert "stale" in RejectedRequest.objects.get().reason
    assert (
        meta_post(client, dm("mid.late", at=timezone.now() - timedelta(hours=30))).status_code
        == 200
    )


def test_other_objects_and_unknown_accounts_are_acknowledged_and_ignored(
    client, ig_workflow: Workflow
) -> None:  # type: ignore[no-untyped-def]
    page = {**dm("mid.page"), "object": "page"}
    assert meta_post(client, page).status_code == 200
    assert meta_post(client, dm("mid.x", account=OTHER_IG_ACCOUNT)).status_code == 200
    assert not Signal.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", b"not JSON"),
        (b'{"object": "instagram"}', b"expected"),
        (b'{"object": "instagram", "entry": [{"time": 1}]}', b"needs an id"),
        (b'{"object": "instagram", "entry": [{"id": "1"}]}', b"needs a time"),
    ],
)
def test_a_signed_post_that_cannot_be_read_is_400(
    client, ig_workflow: Workflow, body: bytes, message: bytes
) -> None:  # type: ignore[no-untyped-def]
    response = meta_post(client, body)
    assert response.status_code == 400
    assert message in response.content


def test_silence_takes_the_workflow_down_and_the_next_event_brings_it_back(
    client,
    ig_workflow: Workflow,
    operator,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    start = timezone.now()  # 12:00 in New York
    time_machine.move_to(start, tick=False)
    meta_post(client, dm("mid.1"))
    ig_workflow.refresh_from_db()
    assert ig_workflow.state == "up"

    run_worker(start + timedelta(hours=5, minutes=59))  # not yet due
    ig_workflow.refresh_from_db()
    assert ig_workflow.state == "up"

    silent_at = start + timedelta(hours=6)  # 18:00 in New York, after the 15:00 cutoff
    time_machine.move_to(silent_at, tick=False)
    run_worker(silent_at)
    ig_workflow.refresh_from_db()
    assert ig_workflow.state == "down"
    assert ig_workflow.state_reason == "no Meta event for 6 hours"
    ticket = Ticket.objects.get()
    assert (ticket.request_class, ticket.source) == ("outage", "monitoring")
    # Received after the cutoff: due by the close of the next business day (17:00 local).
    assert ticket.target_at == datetime(2026, 12, 2, 22, 0, tzinfo=UTC)
    alert = Notification.objects.get(kind="monitoring.alert")
    assert alert.subject.startswith("DOWN: DM auto-replies")

    back_at = silent_at + timedelta(minutes=20)
    time_machine.move_to(back_at, tick=False)
    assert meta_post(client, dm("mid.2")).status_code == 200
    ig_workflow.refresh_from_db()
    assert ig_workflow.state == "up"
    run_worker(back_at)
    assert Downtime.objects.get().ended_at == back_at
    assert "recovered" in ticket.messages.get(kind=MessageKind.NOTE).text
    up = Notification.objects.filter(kind="monitoring.alert").latest("pk")
    assert up.subject.startswith("UP: DM auto-replies")


def test_the_meta_secrets_may_come_from_files(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.core.test_settings import load

    assert load(monkeypatch)["OPERANT_META_APP_SECRET"] == ""  # unset: the endpoint says 503
    (tmp_path / "secret").write_text(META_SECRET + "\n")
    (tmp_path / "token").write_text(META_VERIFY_TOKEN + "\n")
    config = load(
        monkeypatch,
        OPERANT_META_APP_SECRET_FILE=str(tmp_path / "secret"),
        OPERANT_META_VERIFY_TOKEN_FILE=str(tmp_path / "token"),
    )
    assert config["OPERANT_META_APP_SECRET"] == META_SECRET
    assert config["OPERANT_META_VERIFY_TOKEN"] == META_VERIFY_TOKEN
