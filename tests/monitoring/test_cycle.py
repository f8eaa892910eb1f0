"""The whole cycle with frozen time: pings → late → down → outage ticket with its same-day
target → client and operator told → recovery → note, downtime, client told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from operant.desk.models import MessageKind, Ticket
from operant.monitoring.models import Downtime, Flip, Workflow
from operant.notify.models import Notification
from tests.monitoring.conftest import run_worker


def ping(client, workflow: Workflow, suffix: str = "") -> str:  # type: ignore[no-untyped-def]
    response = client.post(f"{workflow.ping_path}{suffix}", data=b"ok", content_type="text/plain")
    assert response.status_code == 200, response.content
    return response.content.decode()


def test_it_opens_an_outage_ticket_when_heartbeats_stop_and_notes_the_recovery(
    client,
    workflow: Workflow,
    operator,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    start = timezone.now()  # 2026-12-01 17:00 UTC, noon in New York
    time_machine.move_to(start, tick=False)
    assert workflow.state == "new"
    assert ping(client, workflow) == "OK"
    workflow.refresh_from_db()
    assert workflow.state == "up"
    assert workflow.due_at == start + timedelta(hours=1)

    time_machine.move_to(start + timedelta(hours=1, minutes=1), tick=False)
    run_worker(timezone.now())
    workflow.refresh_from_db()
    assert workflow.state == "late"
    assert not Ticket.objects.exists()  # late is not down: nobody is alerted yet

    down_at = start + timedelta(hours=1, minutes=10)
    time_machine.move_to(down_at, tick=False)
    run_worker(down_at)
    workflow.refresh_from_db()
    assert workflow.state == "down"
    assert [(f.old_state, f.new_state) for f in Flip.objects.order_by("pk")] == [
        ("new", "up"),
        ("up", "late"),
        ("late", "down"),
    ]
    ticket = Ticket.objects.get()
    assert workflow.outage_ticket_id == ticket.pk
    assert (ticket.request_class, ticket.source, ticket.classification_clause) == (
        "outage",
        "monitoring",
        "03",
    )
    # Received 13:10 in New York, before the 15:00 cutoff: due by the close of business.
    assert ticket.target_at == datetime(2026, 12, 1, 22, 0, tzinfo=UTC)
    assert ticket.requester_email == "alice@acme-dental.example"
    ack = Notification.objects.get(kind="desk.acknowledgement")
    assert ack.to == ["alice@acme-dental.example"]
    assert "Appointment reminders" in ack.body_text
    assert "You do not need to report it" in ack.body_text
    alert = Notification.objects.get(kind="monitoring.alert")
    assert alert.to == [operator.email]
    assert alert.subject.startswith("DOWN: Appointment reminders")
    assert ticket.ref in alert.body_text
    downtime = Downtime.objects.get()
    assert downtime.ended_at is None
    assert downtime.ticket_id == ticket.pk

    back_at = down_at + timedelta(minutes=35)
    time_machine.move_to(back_at, tick=False)
    ping(client, workflow)
    run_worker(back_at)
    workflow.refresh_from_db()
    assert workflow.state == "up"
    downtime.refresh_from_db()
    assert downtime.ended_at == back_at
    note = ticket.messages.get(kind=MessageKind.NOTE)
    assert "recovered" in note.text
    assert "35m" in note.text
    notice = ticket.messages.get(kind=MessageKind.NOTICE)
    assert "working again" in notice.text
    assert "35m" in notice.text
    up_alert = Notification.objects.filter(kind="monitoring.alert").latest("pk")
    assert up_alert.subject.startswith("UP: Appointment reminders")

    # Handled once: another pass finds nothing to do and sends nothing more.
    sent = Notification.objects.count()
    assert run_worker(back_at + timedelta(seconds=1)) == 0
    assert Notification.objects.count() == sent


def test_a_second_outage_updates_the_open_ticket(
    client,
    workflow: Workflow,
    operator,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    ping(client, workflow, "/fail")
    run_worker(timezone.now())
    ticket = Ticket.objects.get()
    ping(client, workflow)
    ping(client, workflow, "/1")
    run_worker(timezone.now())
    assert Ticket.objects.count() == 1
    assert ticket.events.filter(kind="workflow_down").count() == 1
    again = ticket.messages.filter(kind=MessageKind.NOTICE)
    assert any("stopped working again" in m.text for m in again)


def test_clients_are_not_told_when_the_policy_says_so(
    client,
    workflow: Workflow,
    operator,
    policy_terms,  # type: ignore[no-untyped-def]
) -> None:
    policy_terms(notify_clients="false")
    ping(client, workflow, "/fail")
    run_worker(timezone.now())
    assert Ticket.objects.count() == 1
    assert not Notification.objects.filter(kind="desk.acknowledgement").exists()
    assert Notification.objects.filter(kind="monitoring.alert").exists()


def test_the_operator_is_alerted_on_each_channel_they_chose(
    client,  # type: ignore[no-untyped-def]
    workflow: Workflow,
    operator,
) -> None:
    from operant.notify.alerts import alert_channels_set

    alert_channels_set(
        user_id=operator.pk,
        email=True,
        sms=True,
        phone="+15551230000",
        chat=False,
        chat_webhook_url="",
        now=timezone.now(),
    )
    ping(client, workflow, "/fail")
    run_worker(timezone.now())
    alerts = Notification.objects.filter(kind="monitoring.alert")
    assert sorted(alerts.values_list("channel", "to")) == [
        ("email", [operator.email]),
        ("sms", ["+15551230000"]),
    ]
