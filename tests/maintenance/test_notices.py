"""Notices and reminders go out at the policy's lead times before each occurrence, on the
right instants across a DST change, to exactly the affected clients, each once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from operant.accounts.models import Client
from operant.accounts.services import client_create
from operant.core.errors import UserError
from operant.maintenance.jobs import occurrences_notices_due
from operant.maintenance.models import Notice, NoticeKind, Occurrence
from operant.maintenance.notices import occurrence_notices_send
from operant.notify.models import Notification
from tests.maintenance.conftest import run_jobs

pytestmark = pytest.mark.django_db
NY = "America/New_York"
S = timedelta(seconds=1)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def notices(kind: str = "") -> list[Notification]:
    rows = Notification.objects.filter(kind__startswith=f"maintenance.{kind}")
    return list(rows.order_by("created_at", "pk"))


def test_weekly_notices_and_reminders_land_on_their_instants_across_the_dst_change(
    client_a, add_window
):
    # Sundays 01:00-04:00 in New York; clocks go forward at 02:00 on 14 March 2027, so that
    # occurrence ends at 05:00 EDT (three elapsed hours) and the next starts at 01:00 EDT.
    add_window(
        start=datetime.fromisoformat("2027-03-07T01:00-05:00"),
        end=datetime.fromisoformat("2027-03-07T04:00-05:00"),
        rrule="FREQ=WEEKLY;BYDAY=SU;COUNT=3",
        zone=NY,
        client_slugs=["acme-dental"],
    )
    starts = [utc(2027, 3, 7, 6), utc(2027, 3, 14, 6), utc(2027, 3, 21, 5)]
    due = sorted(
        [(s - timedelta(hours=72), "notice") for s in starts]
        + [(s - timedelta(hours=24), "reminder") for s in starts]
    )
    for instant, kind in due:
        before = len(notices())
        run_jobs(instant - S)
        assert len(notices()) == before, f"sent before {instant}"
        run_jobs(instant)
        sent = notices()[before:]
        assert [(n.kind, n.created_at) for n in sent] == [(f"maintenance.{kind}", instant)]
    occurrences = list(Occurrence.objects.order_by("starts_at"))
    assert [o.starts_at for o in occurrences] == starts
    assert occurrences[1].ends_at == utc(2027, 3, 14, 9)
    bodies = [n.body_text for n in notices("notice")]
    assert "Sunday, March 14, 2027, 1:00 AM EST" in bodies[1]
    assert "Sunday, March 14, 2027, 5:00 AM EDT" in bodies[1]
    assert "Sunday, March 21, 2027, 1:00 AM EDT" in bodies[2]
    assert all(n.to == ["alice@acme-dental.example"] for n in notices())
    reminder = notices("reminder")[0]
    assert reminder.subject.startswith("Reminder: planned maintenance: Database upgrade")


def test_a_short_notice_window_is_refused_without_a_reason(client_a, add_window):
    now = timezone.now()
    with pytest.raises(UserError, match=r"starts in 10h, sooner than the 72h notice"):
        add_window(now=now, start=now + timedelta(hours=10), end=now + timedelta(hours=11))
    assert not Occurrence.objects.exists()


def test_a_short_notice_window_with_a_reason_tells_clients_at_once_and_why(client_a, add_window):
    now = timezone.now()
    window = add_window(
        now=now,
        start=now + timedelta(hours=30),
        end=now + timedelta(hours=31),
        reason="a security fix from Twilio that cannot wait",
        client_slugs=["acme-dental"],
    )
    assert window.short_notice
    run_jobs(now)
    [notice] = notices("notice")
    assert "less than our usual 72 hours' notice" in notice.body_text
    assert "a security fix from Twilio that cannot wait" in notice.body_text
    # The reminder still comes at its own lead (24 h before), later than the notice.
    run_jobs(now + timedelta(hours=6) - S)
    assert not notices("reminder")
    run_jobs(now + timedelta(hours=6))
    assert len(notices("reminder")) == 1


def test_no_reminder_when_the_notice_itself_comes_inside_the_reminder_lead(client_a, add_window):
    now = timezone.now()
    add_window(
        now=now, start=now + timedelta(hours=5), end=now + timedelta(hours=6), reason="urgent"
    )
    assert Occurrence.objects.get().reminder_due_at is None
    run_jobs(now + timedelta(hours=5))
    assert [n.kind for n in notices()] == ["maintenance.notice"]


def test_a_window_with_full_notice_is_not_short_notice(client_a, add_window):
    now = timezone.now()
    window = add_window(now=now, start=now + timedelta(hours=73), end=now + timedelta(hours=74))
    assert not window.short_notice
    run_jobs(now + timedelta(hours=1) - S)
    run_jobs(now + timedelta(hours=1))
    assert "less than our usual" not in notices("notice")[0].body_text


@pytest.mark.parametrize(
    ("scope", "told"),
    [
        ({}, {"acme-dental", "cobalt-gym"}),
        ({"integration_keys": ["twilio_voice"]}, {"acme-dental"}),  # only growth includes it
        ({"integration_keys": ["twilio_sms"]}, {"acme-dental", "cobalt-gym"}),
        ({"client_slugs": ["cobalt-gym"]}, {"cobalt-gym"}),
    ],
)
def test_exactly_the_affected_clients_are_told(client_a, client_c, add_window, scope, told):
    now = timezone.now()
    add_window(
        now=now, start=now + timedelta(days=5), end=now + timedelta(days=5, hours=1), **scope
    )
    run_jobs(now + timedelta(days=2))
    slugs = set(Notice.objects.values_list("client__slug", flat=True))
    assert slugs == told
    assert len(notices("notice")) == len(told)


def test_the_owners_of_the_named_workflows_are_told(client_a, client_c, add_window, workflow):
    now = timezone.now()
    add_window(
        now=now,
        start=now + timedelta(days=5),
        end=now + timedelta(days=5, hours=1),
        workflow_ids=[workflow.pk],
    )
    run_jobs(now + timedelta(days=2))
    [notice] = notices("notice")
    assert notice.to == ["alice@acme-dental.example"]


def test_each_client_is_told_each_notice_once_whatever_the_passes(client_a, client_c, add_window):
    now = timezone.now()
    add_window(now=now, start=now + timedelta(days=5), end=now + timedelta(days=5, hours=1))
    due = now + timedelta(days=2)
    run_jobs(due)
    # Two more workers at the same instant find nothing to claim.
    assert occurrences_notices_due(now=due) == 0
    assert occurrences_notices_due(now=due) == 0
    assert len(notices("notice")) == 2
    # A worker that had read the occurrence before the claim and sends anyway sends nothing.
    occurrence = Occurrence.objects.get()
    assert occurrence_notices_send(occurrence=occurrence, kind=NoticeKind.NOTICE, now=due) == 0
    assert len(notices("notice")) == 2
    # The table itself refuses a second notice row.
    with pytest.raises(IntegrityError):
        Notice.objects.create(
            occurrence=occurrence, client=client_a, kind=NoticeKind.NOTICE, created_at=due
        )


def test_the_queries_of_a_notice_round_do_not_grow_with_the_clients(catalog, add_window):
    now = timezone.now()
    counts = []
    for batch in (2, 6):
        for n in range(batch):
            client_create(
                name=f"Client {batch}-{n}", package_key="starter", emails=[f"c{batch}{n}@x.test"]
            )
        window = add_window(
            now=now, start=now + timedelta(days=5), end=now + timedelta(days=5, hours=1)
        )
        occurrence = window.occurrences.get()
        with CaptureQueriesContext(connection) as queries:
            sent = occurrence_notices_send(occurrence=occurrence, kind=NoticeKind.NOTICE, now=now)
        counts.append(len(queries))
        told = Notice.objects.filter(occurrence=occurrence).count()
        assert sent == told == Client.objects.count()
    assert counts[0] == counts[1]
