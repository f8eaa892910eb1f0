"""`operant maintenance add`: the window as JSON; bad input is one line and a non-zero exit."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from operant.maintenance.jobs import windows_expand_due
from operant.maintenance.models import Occurrence, Window

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("maintenance", *args, stdout=out)
    return out.getvalue()


def add(*extra: str) -> dict:  # type: ignore[type-arg]
    return json.loads(run("add", "--title", "Upgrade", *extra, "--json"))


def test_add_prints_a_recurring_window_with_its_occurrences(client_a):
    data = add(
        "--start", "2027-03-07T01:00-05:00", "--end", "2027-03-07T04:00-05:00",
        "--rrule", "FREQ=WEEKLY;BYDAY=SU;COUNT=3", "--tz", "America/New_York",
        "--integration", "twilio_sms",
    )  # fmt: skip
    assert data["id"] == Window.objects.get().pk
    assert data["scope"] == "integrations"
    assert data["integrations"] == ["twilio_sms"]
    assert data["start"] == "2027-03-07T06:00:00+00:00"
    assert data["duration_seconds"] == 3 * 3600
    assert data["rrule"] == "FREQ=WEEKLY;BYDAY=SU;COUNT=3"
    assert data["short_notice"] is False
    # Only occurrences within the 90-day horizon exist yet; the worker adds the rest.
    assert data["occurrences"] == []


def test_add_a_one_off_window_for_clients(client_a, client_c):
    data = add(
        "--start", "2026-12-10T22:00Z", "--end", "2026-12-10T23:30Z",
        "--client", "acme-dental", "--client", "cobalt-gym",
    )  # fmt: skip
    assert data["scope"] == "clients"
    assert data["clients"] == ["acme-dental", "cobalt-gym"]
    assert data["occurrences"] == [
        {
            "start": "2026-12-10T22:00:00+00:00",
            "end": "2026-12-10T23:30:00+00:00",
            "notice_at": "2026-12-07T22:00:00+00:00",
            "reminder_at": "2026-12-09T22:00:00+00:00",
        }
    ]


def test_short_notice_needs_a_reason_and_prints_it(client_a):
    start = (timezone.now() + timedelta(hours=2)).replace(microsecond=0)
    args = ("--start", start.isoformat(), "--end", (start + timedelta(hours=1)).isoformat())
    with pytest.raises(CommandError, match=r"sooner than the 72h notice .* \(--reason\)"):
        add(*args)
    data = add(*args, "--reason", "carrier deadline")
    assert data["short_notice"] is True
    assert data["short_notice_reason"] == "carrier deadline"


def test_a_never_ending_rule_is_expanded_only_to_the_horizon(client_a):
    add("--start", "2026-12-05T03:00Z", "--end", "2026-12-05T04:00Z", "--rrule", "FREQ=DAILY",
        "--tz", "UTC")  # fmt: skip
    count = Occurrence.objects.count()
    assert count == 87  # 5 December to the 90-day horizon (1 March, 17:00)
    window = Window.objects.get()
    assert window.expand_due_at is not None
    windows_expand_due(now=window.expand_due_at)
    assert Occurrence.objects.count() == count + 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--start", "2027-01-05T10:00Z", "--end", "2027-01-05T09:00Z"),
         r"ends \(2027-01-05T09:00:00\+00:00\) before it starts"),
        (("--start", "2027-01-05T10:00", "--end", "2027-01-05T11:00Z"),
         "--start 2027-01-05T10:00:00 has no time zone offset"),
        (("--start", "next tuesday", "--end", "2027-01-05T11:00Z"),
         "--start 'next tuesday' is not an ISO 8601"),
        (("--start", "2027-01-05T10:00Z", "--end", "2027-01-05T11:00Z", "--integration", "fax"),
         "unknown integration 'fax'; known: "),
        (("--start", "2027-01-05T10:00Z", "--end", "2027-01-05T11:00Z", "--client", "zzz"),
         "no client with slug 'zzz'"),
        (("--start", "2027-01-05T10:00Z", "--end", "2027-01-05T11:00Z",
          "--client", "acme-dental", "--integration", "twilio_sms"),
         "one kind at a time"),
        (("--start", "2027-01-05T10:00Z", "--end", "2027-01-05T11:00Z", "--rrule", "FREQ=HOURLY"),
         "FREQ must be one of DAILY, WEEKLY, MONTHLY, YEARLY"),
        (("--start", "2027-01-05T10:00Z", "--end", "2027-01-05T11:00Z",
          "--rrule", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"),
         "RRULE never matches"),
        (("--start", "2027-01-05T10:00Z", "--end", "2027-01-05T11:00Z",
          "--rrule", "FREQ=MONTHLY;BYDAY=6MO"),
         r"BYDAY=6MO never matches"),
        (("--start", "2027-01-05T10:00Z", "--end", "2027-01-05T11:00Z",
          "--rrule", "FREQ=WEEKLY;BYDAY=SU", "--tz", "UTC"),
         "is not an occurrence of RRULE"),
        (("--start", "2027-01-05T10:00Z", "--end", "2027-01-05T11:00Z",
          "--rrule", "FREQ=WEEKLY;UNTIL=20270101T000000Z", "--tz", "UTC"),
         "no occurrence from the start on"),
        (("--start", "2027-01-05T10:00Z", "--end", "2027-01-05T11:00Z",
          "--rrule", "BYDAY=SU"),
         "has no FREQ"),
        (("--start", "2027-01-05T10:00Z", "--end", "2027-01-05T11:00Z", "--tz", "Mars/Base",
          "--rrule", "FREQ=DAILY"),
         "unknown time zone 'Mars/Base'"),
        (("--start", "2026-11-05T10:00Z", "--end", "2026-11-05T11:00Z"),
         "the window ended already"),
    ],
)  # fmt: skip
def test_add_refuses_bad_input_with_one_line(client_a, args, message):
    with pytest.raises(CommandError, match=message) as refused:
        add(*args)
    assert "\n" not in str(refused.value)
    assert not Window.objects.exists()
