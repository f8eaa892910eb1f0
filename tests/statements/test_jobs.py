import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from operant.allowance.models import AllowanceMonth
from operant.core.worker import JOBS
from operant.notify.models import Notification
from operant.statements.jobs import statements_build_due
from operant.statements.models import Statement, StatementCursor

from .conftest import NOVEMBER, ny

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")


def test_it_is_registered_with_the_worker():
    assert JOBS["statements.build_due"] is statements_build_due


def test_nothing_is_built_before_the_month_ends_for_the_client(acme_november):
    # A client from before the ledger starts with the month before the current one: October.
    statements_build_due(now=ny(2026, 11, 30, 23, 59))
    assert list(Statement.objects.values_list("month", flat=True)) == [dt.date(2026, 10, 1)]
    assert StatementCursor.objects.get(client=acme_november).next_month == NOVEMBER


def test_on_the_first_it_builds_closes_and_emails_the_month_before(acme_november):
    statements_build_due(now=ny(2026, 11, 30, 12))
    statements_build_due(now=ny(2026, 12, 1, 0, 5))
    statement = Statement.objects.get(client=acme_november, month=NOVEMBER)
    assert AllowanceMonth.objects.get(client=acme_november, month=NOVEMBER).closed_at is not None
    notification = Notification.objects.get(dedupe_key=f"statement:{acme_november.pk}:2026-11")
    assert statement.emailed_id == notification.pk
    assert notification.to == ["billing@acme-dental.example"]
    assert notification.attachments[0]["filename"].endswith("2026-11.pdf")
    cursor = StatementCursor.objects.get(client=acme_november)
    assert cursor.next_month == dt.date(2026, 12, 1)
    assert cursor.due_at == ny(2027, 1, 1)


def test_running_twice_builds_one_statement_and_sends_one_email(acme_november):
    now = ny(2026, 12, 1, 0, 5)
    statements_build_due(now=now)
    statements_build_due(now=now)
    assert Statement.objects.filter(month=NOVEMBER).count() == 1
    key = f"statement:{acme_november.pk}:2026-11"
    assert Notification.objects.filter(dedupe_key=key).count() == 1
    assert Notification.objects.filter(kind="statements.statement").count() == 1


def test_a_second_worker_with_a_stale_cursor_builds_and_emails_nothing_new(acme_november):
    now = ny(2026, 12, 1, 0, 5)
    statements_build_due(now=now)
    # As if a crashed run left the cursor behind after building and queueing.
    StatementCursor.objects.update(next_month=NOVEMBER, due_at=ny(2026, 12, 1))
    statements_build_due(now=now + dt.timedelta(minutes=1))
    assert Statement.objects.filter(month=NOVEMBER).count() == 1
    assert Notification.objects.filter(dedupe_key__endswith=":2026-11").count() == 1


def test_each_client_is_stated_on_the_first_of_its_own_calendar(acme, cobalt):
    acme.timezone = "Asia/Tokyo"
    acme.save()
    statements_build_due(now=ny(2026, 11, 30, 9))
    # 1 December 00:30 in Tokyo; still 30 November in London.
    statements_build_due(now=dt.datetime(2026, 12, 1, 0, 30, tzinfo=TOKYO))
    november = Statement.objects.filter(month=NOVEMBER)
    assert list(november.values_list("client__slug", flat=True)) == [acme.slug]
    statements_build_due(now=dt.datetime(2026, 12, 1, 0, 1, tzinfo=ZoneInfo("Europe/London")))
    assert Statement.objects.filter(client=cobalt, month=NOVEMBER).exists()


def test_a_client_created_this_month_waits_for_the_month_to_end(acme):
    from operant.accounts.models import Client

    Client.objects.filter(pk=acme.pk).update(created_at=ny(2026, 12, 1, 8))
    statements_build_due(now=ny(2026, 12, 1, 9))
    assert not Statement.objects.exists()
    cursor = StatementCursor.objects.get(client=acme)
    assert (cursor.next_month, cursor.due_at) == (dt.date(2026, 12, 1), ny(2027, 1, 1))
