"""Each client's iCalendar feed of its upcoming windows, fetched over HTTP and read back with
icalendar; the token is the credential."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from operant.maintenance import views
from operant.maintenance.feed import client_feed, client_feed_url
from operant.maintenance.jobs import occurrences_notices_due, windows_expand_due
from operant.monitoring.throttle import TokenBuckets
from operant.notify.models import Notification

pytestmark = pytest.mark.django_db
START = datetime(2027, 3, 7, 6, tzinfo=UTC)  # Sunday 01:00 in New York


def fetch(client, url: str):  # type: ignore[no-untyped-def]
    return client.get(url.removeprefix("http://127.0.0.1:8000"))


def events(body: bytes) -> list:  # type: ignore[type-arg]
    return list(Calendar.from_ical(body).walk("VEVENT"))


def test_a_client_feed_lists_its_upcoming_occurrences(
    client, client_a, client_c, add_window, time_machine
):
    add_window(
        title="Voice platform upgrade",
        start=START,
        end=START + timedelta(hours=3),
        rrule="FREQ=WEEKLY;BYDAY=SU;COUNT=3",
        zone="America/New_York",
        integration_keys=["twilio_voice"],  # in acme-dental's package, not cobalt-gym's
    )
    add_window(
        title="Cobalt migration",
        start=START,
        end=START + timedelta(hours=1),
        client_slugs=["cobalt-gym"],
    )
    # March is past the 90-day horizon of 1 December: the worker adds it as time passes.
    now = START - timedelta(days=30)
    time_machine.move_to(now, tick=False)
    windows_expand_due(now=now)
    response = fetch(client, client_feed_url(client=client_a, now=now))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    found = events(response.content)
    assert [str(e["summary"]) for e in found] == ["Planned maintenance: Voice platform upgrade"] * 3
    starts = [e.decoded("dtstart") for e in found]
    assert starts == [START, START + timedelta(days=7), START + timedelta(days=14, hours=-1)]
    assert found[1].decoded("dtend") - found[1].decoded("dtstart") == timedelta(hours=3)
    assert len({str(e["uid"]) for e in found}) == 3

    other = events(fetch(client, client_feed_url(client=client_c, now=now)).content)
    assert [str(e["summary"]) for e in other] == ["Planned maintenance: Cobalt migration"]


def test_a_short_notice_reason_is_in_the_event(client, client_a, add_window):
    now = timezone.now()
    add_window(
        now=now, start=now + timedelta(hours=5), end=now + timedelta(hours=6), reason="urgent fix"
    )
    [event] = events(fetch(client, client_feed_url(client=client_a, now=now)).content)
    assert str(event["description"]) == "Short notice: urgent fix"


def test_past_occurrences_leave_the_feed(client, client_a, add_window, time_machine):
    add_window(start=START, end=START + timedelta(hours=1))
    url = client_feed_url(client=client_a, now=timezone.now())
    time_machine.move_to(START + timedelta(hours=1), tick=False)
    assert events(fetch(client, url).content) == []


def test_the_token_is_random_per_client_and_stable(client_a, client_c):
    now = timezone.now()
    token = client_feed(client=client_a, now=now).token
    assert len(token) >= 40
    assert client_feed(client=client_a, now=now).token == token
    assert client_feed(client=client_c, now=now).token != token


def test_an_unknown_token_is_not_found_and_guessing_is_throttled(client, client_a, monkeypatch):
    monkeypatch.setattr(views, "unknown_per_network", TokenBuckets(rate=0.0001, burst=3))
    codes = [client.get(f"/maintenance/calendar/guess{n}.ics").status_code for n in range(5)]
    assert codes == [404, 404, 404, 429, 429]
    assert client.post("/maintenance/calendar/guess.ics").status_code == 405


def test_the_notice_gives_the_clients_own_calendar_address(client, client_a, add_window):
    now = timezone.now()
    add_window(now=now, start=now + timedelta(hours=5), end=now + timedelta(hours=6), reason="x")
    occurrences_notices_due(now=now)
    body = Notification.objects.get(kind="maintenance.notice").body_text
    url = client_feed_url(client=client_a, now=now)
    assert url in body
    assert len(events(fetch(client, url).content)) == 1
