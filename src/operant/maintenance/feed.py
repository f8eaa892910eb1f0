"""Each client's iCalendar feed of its upcoming maintenance (RFC 5545, built with icalendar).

One event per occurrence (not one RRULE event per window): a calendar shows exactly the
occurrences clients were told about, with the same instants, and never has to expand a rule.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from icalendar import Calendar, Event

from operant.accounts.models import Client
from operant.maintenance.models import CalendarFeed, Occurrence
from operant.maintenance.scope import windows_for_client

FEED_LIMIT = 500  # a calendar app wants the next months, not every weekly window for years


def client_feed(*, client: Client, now: datetime) -> CalendarFeed:
    """The client's feed (made on first use)."""
    feed, _ = CalendarFeed.objects.get_or_create(client=client, defaults={"created_at": now})
    return feed


def feed_url(token: str) -> str:
    path = reverse("maintenance:calendar", args=[token])
    return settings.OPERANT_BASE_URL.rstrip("/") + path


def client_feed_url(*, client: Client, now: datetime) -> str:
    return feed_url(client_feed(client=client, now=now).token)


def clients_feed_urls(*, client_ids: list[int], now: datetime) -> dict[int, str]:
    """The feed URL of each client (feeds made where missing): three queries however many."""
    tokens = dict(
        CalendarFeed.objects.filter(client_id__in=client_ids).values_list("client_id", "token")
    )
    missing = [pk for pk in client_ids if pk not in tokens]
    if missing:
        CalendarFeed.objects.bulk_create(
            [CalendarFeed(client_id=pk, created_at=now) for pk in missing], ignore_conflicts=True
        )
        made = CalendarFeed.objects.filter(client_id__in=missing)
        tokens.update(made.values_list("client_id", "token"))
    return {pk: feed_url(token) for pk, token in tokens.items()}


def feed_client(token: str) -> Client | None:
    feed = CalendarFeed.objects.filter(token=token).select_related("client").first()
    return feed.client if feed is not None else None


def _uid_host() -> str:
    return settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "operant.invalid"


def client_calendar(*, client: Client, now: datetime) -> bytes:
    """The occurrences affecting the client that have not ended, soonest first."""
    calendar = Calendar()
    calendar.add("prodid", "-//Operant Desk//planned maintenance//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Operant maintenance: {client.name}")
    occurrences = (
        Occurrence.objects.filter(ends_at__gt=now, window__in=windows_for_client(client))
        .select_related("window")
        .order_by("starts_at", "pk")[:FEED_LIMIT]
    )
    host = _uid_host()
    for occurrence in occurrences:
        window = occurrence.window
        event = Event()
        # Stable per occurrence, so a calendar updates the event rather than adding another.
        event.add("uid", f"maintenance-{window.pk}-{occurrence.starts_at:%Y%m%dT%H%M%SZ}@{host}")
        event.add("dtstamp", window.created_at)
        event.add("dtstart", occurrence.starts_at)
        event.add("dtend", occurrence.ends_at)
        event.add("summary", f"Planned maintenance: {window.title}")
        if window.short_notice:
            event.add("description", f"Short notice: {window.short_notice_reason}")
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
