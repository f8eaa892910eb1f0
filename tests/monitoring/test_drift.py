"""The drift cycle against the local fake of Twilio's API: the live configuration recorded as a
version, a flow revision and a number's webhook changed outside Operant, drift events with
their evidence, the operator alerted once, and the client's ticket about it classified with the
evidence (clause 02), not from its words alone."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime

import pytest

from operant.desk.models import Ticket
from operant.desk.services import ticket_open
from operant.mail.services import mail_ingest
from operant.monitoring.control import workflow_pause
from operant.monitoring.drift.queries import workflow_drifts
from operant.monitoring.drift.services import (
    CHECK_INTERVAL,
    NOTHING_RECORDED,
    drift_accept_live,
    workflows_check_drift,
)
from operant.monitoring.errors import MonitoringError
from operant.monitoring.models import DriftEvent, Signal, Workflow, WorkflowVersion
from operant.monitoring.registry import workflow_update
from operant.notify.models import Notification
from tests.monitoring.drift_setup import PHONE, SMS_URL, TwilioLive

FLOW_CLAUSE = "clause 02: unauthorized modifications"
WEBHOOK_CLAUSE = "clause 02: client-initiated changes to connected accounts"


def check_at(time_machine, when) -> int:  # type: ignore[no-untyped-def]
    time_machine.move_to(when, tick=False)
    return workflows_check_drift(now=when)


def client_mail(subject: str, body: str, when) -> Ticket:  # type: ignore[no-untyped-def]
    message = EmailMessage()
    message["From"] = "Alice <alice@acme-dental.example>"
    message["To"] = "support@operantco.com"
    message["Subject"] = subject
    message["Date"] = format_datetime(when)
    message["Message-ID"] = f"<{subject.replace(' ', '-')}@acme-dental.example>"
    message.set_content(body)
    outcome = mail_ingest(raw=message.as_bytes(), channel="file", now=when)
    [ticket] = [
        t for t in Ticket.objects.filter(client__isnull=False) if t.ref == outcome.ticket_ref
    ]
    return ticket


def test_accepting_the_live_configuration_records_it_as_a_version(
    live: TwilioLive, recorded: Workflow
) -> None:
    version = WorkflowVersion.objects.get(workflow=recorded)
    assert version.live_config == {
        "flows": {live.flow_sid: {"revision": 1, "friendly_name": "Reminders"}},
        "numbers": {
            PHONE: {
                "sid": live.number_sid,
                "sms_url": SMS_URL,
                "sms_method": "POST",
                "voice_url": "https://handler.twilio.com/twiml/EH0001",
                "voice_method": "POST",
            }
        },
    }
    assert version.logic.startswith(f'Studio flow "Reminders" ({live.flow_sid}), revision 1:')
    assert '"body": "See you!"' in version.logic
    assert version.summary == "Accepted the live Twilio configuration"
    # The read went through the official client to Twilio's documented endpoints.
    assert live.api.requests_to("studio.twilio.com", rf"/v2/Flows/{live.flow_sid}")
    [listed] = live.api.requests_to("api.twilio.com", r"/2010-04-01/Accounts/AC\w+/IncomingPhone.*")
    assert listed.query["PhoneNumber"] == [PHONE]


def test_no_drift_while_the_live_configuration_matches_the_registry(
    live: TwilioLive,
    recorded: Workflow,
    operator,
    start,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    later = start + CHECK_INTERVAL
    assert check_at(time_machine, later) == 1
    recorded.refresh_from_db()
    assert recorded.drift_checked_at == later
    assert recorded.drift_check_due_at == later + CHECK_INTERVAL
    assert (recorded.drift_check_message, recorded.drift_check_failing_since) == ("", None)
    assert not DriftEvent.objects.exists()
    assert not Notification.objects.filter(kind="monitoring.alert").exists()
    # Not due again before the interval: nothing is read.
    reads = len(live.api.requests)
    assert check_at(time_machine, later + CHECK_INTERVAL - timedelta(seconds=1)) == 0
    assert len(live.api.requests) == reads


def test_a_workflow_without_a_recorded_configuration_says_so_and_records_no_drift(
    live: TwilioLive,
    make_workflow,
    start,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    workflow = make_workflow(identifiers=live.identifiers)
    live.edit_flow()
    assert check_at(time_machine, start) == 1
    workflow.refresh_from_db()
    assert workflow.drift_check_message == NOTHING_RECORDED
    assert workflow.drift_check_failing_since is None
    assert not DriftEvent.objects.exists()
    # Nothing to compare with, so Twilio is not even read (no failing reads for a client
    # whose credentials are not stored yet); looked at again at the next interval.
    assert [r for r in live.api.requests if r.method == "GET"] == []
    assert workflow.drift_check_due_at == start + CHECK_INTERVAL


def test_the_drift_cycle_flow_and_webhook_changed_outside_operant(
    live: TwilioLive,
    recorded: Workflow,
    operator,
    start,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    time_machine.move_to(start + timedelta(minutes=5), tick=False)  # 12:05 in New York
    live.edit_flow("moved the reminder an hour earlier")
    live.point_sms_elsewhere()

    detected = start + CHECK_INTERVAL
    check_at(time_machine, detected)
    flow, sms = DriftEvent.objects.order_by("kind")
    assert (flow.kind, flow.subject, flow.scope_category) == (
        "flow_changed",
        f"flow {live.flow_sid}",
        "unauthorized_modification",
    )
    assert (flow.expected, flow.live) == ({"revision": 1}, {"revision": 2})
    assert flow.changed_at == start + timedelta(minutes=5)
    assert flow.evidence == (
        f'the Studio flow "Reminders" ({live.flow_sid}) was changed outside Operant on '
        'Tuesday, December 1, 2026, 12:05 PM EST: revision 2 ("moved the reminder an hour '
        f'earlier") is live, v1 recorded revision 1; {FLOW_CLAUSE}'
    )
    assert (sms.kind, sms.subject, sms.scope_category) == (
        "webhook_changed",
        f"sms {PHONE}",
        "rebuild_after_client_change",
    )
    assert sms.evidence.startswith(
        f"the number {PHONE}'s SMS webhook now points elsewhere: https://someone-else.example/sms "
        f"(recorded: {SMS_URL}), changed outside Operant on Tuesday, December 1, 2026, 12:05 PM"
    )
    assert sms.evidence.endswith(WEBHOOK_CLAUSE)
    assert {(s.kind, s.body) for s in Signal.objects.filter(source="drift")} == {
        ("event", flow.evidence),
        ("event", sms.evidence),
    }
    alerts = Notification.objects.filter(kind="monitoring.alert").order_by("pk")
    assert [a.to for a in alerts] == [[operator.email], [operator.email]]
    assert all(a.subject.startswith("DRIFT: Appointment reminders") for a in alerts)
    assert {flow.evidence, sms.evidence} == {
        e for e in (flow.evidence, sms.evidence) for a in alerts if e in a.body_text
    }

    # Seen again at the next check: the same drift, recorded and alerted once.
    check_at(time_machine, detected + CHECK_INTERVAL)
    assert DriftEvent.objects.count() == 2
    assert Notification.objects.filter(kind="monitoring.alert").count() == 2
    recorded.refresh_from_db()
    status = workflow_drifts(recorded)
    assert status.open_count == 2
    assert status.checked_at == detected + CHECK_INTERVAL
    assert status.next_check_at == detected + 2 * CHECK_INTERVAL

    # The client writes in: words alone say outage; the evidence says clause 02.
    ticket = client_mail(
        "Appointment reminders stopped working",
        "Hi, none of our patients got their reminder today. Can you fix it urgently?",
        detected + CHECK_INTERVAL,
    )
    assert (ticket.request_class, ticket.classification_clause) == ("out_of_scope", "02")
    # Both changes are evidence; the policy lists the connected-account category first.
    assert ticket.scope_category == "rebuild_after_client_change"
    assert ticket.classification_reasons[0].startswith(sms.evidence)
    assert any(r.startswith(f"also {flow.evidence}") for r in ticket.classification_reasons)


def test_a_flow_changed_outside_operant_makes_a_breakage_report_unauthorized_modification(
    live: TwilioLive,
    recorded: Workflow,
    start,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    time_machine.move_to(start + timedelta(minutes=5), tick=False)
    live.edit_flow()
    check_at(time_machine, start + CHECK_INTERVAL)
    [event] = DriftEvent.objects.all()
    contact = recorded.client.contacts.get(email="alice@acme-dental.example")
    ticket = ticket_open(
        client=recorded.client,
        contact=contact,
        requester_email=contact.email,
        subject="Help",
        text="Nothing is going out since lunch!",  # names no workflow: its only drifted one
        received_at=start + CHECK_INTERVAL,
        now=start + CHECK_INTERVAL,
    )
    assert (ticket.request_class, ticket.scope_category) == (
        "out_of_scope",
        "unauthorized_modification",
    )
    reason = ticket.classification_reasons[0]
    assert reason.startswith(
        f'the Studio flow "Reminders" ({live.flow_sid}) was changed outside Operant on '
        "Tuesday, December 1, 2026, 12:05 PM EST"
    )
    assert FLOW_CLAUSE in reason
    assert event.evidence in reason


def test_a_ticket_naming_the_number_whose_webhook_moved_is_a_client_change(
    live: TwilioLive,
    recorded: Workflow,
    start,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    live.point_sms_elsewhere()
    check_at(time_machine, start + CHECK_INTERVAL)
    ticket = client_mail(
        "Texts", "Texts to (555) 010-2030 get no answer any more.", start + CHECK_INTERVAL
    )
    assert (ticket.request_class, ticket.scope_category) == (
        "out_of_scope",
        "rebuild_after_client_change",
    )
    assert "SMS webhook now points elsewhere" in ticket.classification_reasons[0]
    assert WEBHOOK_CLAUSE in ticket.classification_reasons[0]
    assert f"names its number {PHONE}" in ticket.classification_reasons[0]


def test_accepting_the_change_resolves_the_drift_and_breakage_is_an_outage_again(
    live: TwilioLive,
    recorded: Workflow,
    agent,
    start,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    live.edit_flow()
    check_at(time_machine, start + CHECK_INTERVAL)
    accepted = start + 2 * CHECK_INTERVAL
    time_machine.move_to(accepted, tick=False)
    version = drift_accept_live(workflow=recorded, now=accepted, author=agent)
    assert version.number == 2
    assert version.live_config["flows"][live.flow_sid]["revision"] == 2
    assert "+logic: Studio flow" in version.diff
    [event] = DriftEvent.objects.all()
    assert event.resolved_at == accepted
    assert event.resolution == "accepted as v2 by Avery Agent"
    assert Signal.objects.filter(provider_key=f"drift:{event.pk}:resolved").exists()
    assert workflow_drifts(recorded).open_count == 0

    check_at(time_machine, accepted + CHECK_INTERVAL)
    assert DriftEvent.objects.count() == 1
    ticket = client_mail("Appointment reminders stopped working", "Please fix.", accepted)
    assert ticket.request_class == "outage"
    with pytest.raises(MonitoringError, match="nothing changed"):
        drift_accept_live(workflow=recorded, now=accepted, author=agent)


def test_putting_the_webhook_back_resolves_the_drift(
    live: TwilioLive,
    recorded: Workflow,
    start,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    live.point_sms_elsewhere()
    check_at(time_machine, start + CHECK_INTERVAL)
    live.point_sms_elsewhere(SMS_URL)
    check_at(time_machine, start + 2 * CHECK_INTERVAL)
    [event] = DriftEvent.objects.all()
    assert event.resolution == "the live configuration matches v1 again"
    assert event.resolved_at == start + 2 * CHECK_INTERVAL


def test_a_further_change_supersedes_the_open_drift(
    live: TwilioLive,
    recorded: Workflow,
    operator,
    start,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    live.edit_flow()
    check_at(time_machine, start + CHECK_INTERVAL)
    live.edit_flow("again")
    check_at(time_machine, start + 2 * CHECK_INTERVAL)
    first, second = DriftEvent.objects.order_by("pk")
    assert (first.live, first.resolution) == ({"revision": 2}, "superseded by a later change")
    assert (second.live, second.resolved_at) == ({"revision": 3}, None)
    assert Notification.objects.filter(kind="monitoring.alert").count() == 2


def test_a_paused_workflow_records_drift_without_alerting(
    live: TwilioLive,
    recorded: Workflow,
    operator,
    agent,
    start,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    workflow_pause(workflow=recorded, reason="rebuilding the flow", actor=agent, now=start)
    live.edit_flow()
    check_at(time_machine, start + CHECK_INTERVAL)
    assert DriftEvent.objects.count() == 1
    assert not Notification.objects.filter(kind="monitoring.alert").exists()


def test_a_workflow_with_nothing_on_twilio_is_not_read_until_its_identifiers_change(
    live: TwilioLive,
    make_workflow,
    start,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    workflow = make_workflow()  # a Studio workflow that names no flow and no number yet
    assert workflow.drift_check_due_at == start
    assert check_at(time_machine, start) == 1
    workflow.refresh_from_db()
    assert workflow.drift_check_due_at is None
    assert live.api.requests == []

    changed = start + timedelta(minutes=1)
    time_machine.move_to(changed, tick=False)
    workflow_update(workflow=workflow, now=changed, identifiers=live.identifiers)
    workflow.refresh_from_db()
    assert workflow.drift_check_due_at == changed
    assert check_at(time_machine, changed) == 1
    workflow.refresh_from_db()
    assert workflow.drift_check_message == NOTHING_RECORDED  # nothing recorded: not read
    drift_accept_live(workflow=workflow, now=changed)  # an agent records what is live
    reads = len(live.api.requests)
    assert check_at(time_machine, changed + CHECK_INTERVAL) == 1
    assert len(live.api.requests) > reads


def test_a_claimed_check_is_not_taken_by_a_second_worker(
    live: TwilioLive,
    recorded: Workflow,
    start,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    later = start + CHECK_INTERVAL
    time_machine.move_to(later, tick=False)
    seen = recorded.drift_check_due_at
    # The first worker's claim: the row's due time moved on, so the second finds nothing due.
    assert Workflow.objects.filter(pk=recorded.pk, drift_check_due_at=seen).update(
        drift_check_due_at=later + timedelta(minutes=5)
    )
    assert workflows_check_drift(now=later) == 0
