"""Telling clients about an occurrence: the advance notice and the reminder (clause 04).

The caller has claimed the occurrence's due column, so one worker sends; the ``Notice`` row per
occurrence, client and kind (unique) and the outbox's dedupe key make a second send of the
same notice impossible even so. Queries do not grow with the number of clients: the clients
and their contacts are two queries, their calendar feeds three, the outbox rows and notice
rows one INSERT each.
"""

from __future__ import annotations

from datetime import datetime

from django.template.loader import render_to_string

from operant.accounts.models import Client
from operant.core.bulk import bulk_insert
from operant.core.timefmt import human_datetime
from operant.maintenance.feed import clients_feed_urls
from operant.maintenance.models import Notice, NoticeKind, Occurrence
from operant.maintenance.scope import window_clients
from operant.notify.models import Notification
from operant.notify.services import notification_build, notifications_queue_many
from operant.policy.loader import current_policy


def client_recipients(client: Client) -> list[str]:
    """Maintenance touches whatever automations they use, so everyone who writes to support is
    told (the accounts app's one rule of who that is)."""
    return client.notice_addresses()


def notice_dedupe_key(occurrence: Occurrence, client: Client, kind: str) -> str:
    return f"maintenance:{occurrence.pk}:{kind}:{client.pk}"


def _notification(
    occurrence: Occurrence, client: Client, kind: str, calendar_url: str, now: datetime
) -> Notification:
    window = occurrence.window
    zone = client.zone
    context = {
        "client": client,
        "window": window,
        "reminder": kind == NoticeKind.REMINDER,
        "start_local": human_datetime(occurrence.starts_at, zone),
        "end_local": human_datetime(occurrence.ends_at, zone),
        "notice_lead_hours": current_policy().maintenance.notice_lead_hours,
        "contact_email": current_policy().contact.support_email,
        "calendar_url": calendar_url,
    }
    prefix = "Reminder: planned" if kind == NoticeKind.REMINDER else "Planned"
    return notification_build(
        kind=f"maintenance.{kind}",
        to=client_recipients(client),
        subject=f"{prefix} maintenance: {window.title}, {context['start_local']}",
        body_text=render_to_string("maintenance/email/notice.txt", context),
        now=now,
        dedupe_key=notice_dedupe_key(occurrence, client, kind),
    )


def occurrence_notices_send(*, occurrence: Occurrence, kind: str, now: datetime) -> int:
    """Queue the notice of ``kind`` to each affected client not told yet; returns how many.
    A client with no address is recorded as noticed (nothing to send, nothing to retry)."""
    told = set(
        Notice.objects.filter(occurrence=occurrence, kind=kind).values_list("client_id", flat=True)
    )
    clients = [
        c
        for c in window_clients(occurrence.window).prefetch_related("contacts")
        if c.pk not in told
    ]
    urls = clients_feed_urls(client_ids=[c.pk for c in clients], now=now)
    built = {c.pk: _notification(occurrence, c, kind, urls[c.pk], now) for c in clients}
    queued = notifications_queue_many([n for n in built.values() if n.to])
    by_key = {n.dedupe_key: n for n in queued}
    notices = [
        Notice(
            occurrence=occurrence,
            client=client,
            kind=kind,
            notification=by_key.get(notice_dedupe_key(occurrence, client, kind)),
            created_at=now,
        )
        for client in clients
    ]
    bulk_insert(Notice, notices)
    return len(queued)
