"""Read-side queries of maintenance for the pages: the public status page, a client's status in
the portal and the console's list of windows. Who a window covers is scope.py's rule."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Prefetch, Q, QuerySet

from operant.accounts.models import Client
from operant.maintenance.models import NoticeKind, Occurrence, Scope, Window
from operant.maintenance.scope import windows_for_client

# A window scoped to clients or workflows would name who it is for: only windows for
# everything or for whole integrations are public.
PUBLIC_SCOPES = (Scope.EVERYTHING, Scope.INTEGRATIONS)
UPCOMING_SHOWN = 20
# The console lists a recurring window's next few occurrences, not its whole horizon.
OCCURRENCES_SHOWN = 5


def _upcoming(occurrences: QuerySet[Occurrence], now: datetime) -> QuerySet[Occurrence]:
    return (
        occurrences.filter(ends_at__gt=now)
        .select_related("window")
        .prefetch_related("window__integrations")
        .order_by("starts_at", "pk")
    )


def public_upcoming(*, now: datetime, limit: int = UPCOMING_SHOWN) -> list[Occurrence]:
    """Occurrences under way or to come of the public windows, soonest first."""
    public = Occurrence.objects.filter(window__scope__in=PUBLIC_SCOPES)
    return list(_upcoming(public, now)[:limit])


def client_upcoming(
    *, client: Client, now: datetime, limit: int = UPCOMING_SHOWN
) -> list[Occurrence]:
    """Occurrences under way or to come of the windows affecting the client."""
    own = Occurrence.objects.filter(window__in=windows_for_client(client))
    return list(_upcoming(own, now)[:limit])


def _with_notice_counts(occurrences: QuerySet[Occurrence]) -> QuerySet[Occurrence]:
    """Each occurrence with how many clients its notice and its reminder went to."""
    return occurrences.annotate(
        notices_sent=Count("notices", filter=Q(notices__kind=NoticeKind.NOTICE)),
        reminders_sent=Count("notices", filter=Q(notices__kind=NoticeKind.REMINDER)),
    )


def window_rows(*, now: datetime) -> list[Window]:
    """Windows with an occurrence not over, soonest first, each with ``upcoming``: its next
    occurrences with their notice state. A fixed number of queries, however many windows."""
    current = Occurrence.objects.filter(ends_at__gt=now)
    windows = list(
        Window.objects.filter(pk__in=current.values("window_id"))
        .prefetch_related(
            "integrations",
            "clients",
            "workflows__client",
            Prefetch(
                "occurrences",
                queryset=_with_notice_counts(current).order_by("starts_at", "pk"),
                to_attr="upcoming_all",
            ),
        )
        .order_by("first_start", "pk")
    )
    for window in windows:
        window.upcoming = window.upcoming_all[:OCCURRENCES_SHOWN]
    windows.sort(key=lambda w: (w.upcoming[0].starts_at, w.pk))
    return windows
