"""Scheduling maintenance windows and materializing their occurrences (clause 04).

``window_create`` checks everything an agent typed (one readable refusal each), decides
whether the window is short-notice, and materializes its first occurrences; ``window_expand``
extends a recurring window's occurrences up to the horizon (the worker calls it daily).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from django.db import transaction

from operant.accounts.models import Client, Integration, User
from operant.core.errors import UserError
from operant.maintenance.models import Occurrence, Scope, Window
from operant.maintenance.recurrence import horizon_end, recurrence_of
from operant.monitoring.models import Workflow
from operant.policy.loader import current_policy

# A recurring window's occurrences are extended this often (well inside the horizon).
EXPAND_EVERY = timedelta(days=1)


def _aware(name: str, value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise UserError(
            f"{name} {value.isoformat()} has no time zone offset: write it like "
            f"{value.isoformat()}-05:00 or {value.isoformat()}Z"
        )
    return value


def _lead_hours() -> tuple[int, int]:
    terms = current_policy().maintenance
    return terms.notice_lead_hours, terms.reminder_lead_hours


def _integrations(keys: Sequence[str]) -> list[Integration]:
    keys = list(dict.fromkeys(k.strip() for k in keys))
    found = {i.key: i for i in Integration.objects.filter(key__in=keys)}
    for key in keys:
        if key not in found:
            known = ", ".join(Integration.objects.order_by("key").values_list("key", flat=True))
            raise UserError(f"unknown integration {key!r}; known: {known}")
    return [found[k] for k in keys]


def _clients(slugs: Sequence[str]) -> list[Client]:
    slugs = list(dict.fromkeys(s.strip() for s in slugs))
    found = {c.slug: c for c in Client.objects.filter(slug__in=slugs)}
    for slug in slugs:
        if slug not in found:
            raise UserError(f"no client with slug {slug!r}")
    return [found[s] for s in slugs]


def _workflows(ids: Sequence[int]) -> list[Workflow]:
    ids = list(dict.fromkeys(ids))
    found = {w.pk: w for w in Workflow.objects.filter(pk__in=ids)}
    for pk in ids:
        if pk not in found:
            raise UserError(f"no workflow {pk}")
    return [found[pk] for pk in ids]


def _scope(integrations: list[object], clients: list[object], workflows: list[object]) -> str:
    given = [
        scope
        for scope, chosen in (
            (Scope.INTEGRATIONS, integrations),
            (Scope.CLIENTS, clients),
            (Scope.WORKFLOWS, workflows),
        )
        if chosen
    ]
    if len(given) > 1:
        raise UserError(
            "a window covers integrations, clients or workflows, one kind at a time "
            "(or none of them: everything); schedule one window per kind"
        )
    return given[0] if given else Scope.EVERYTHING


def window_create(
    *,
    title: str,
    start: datetime,
    end: datetime,
    now: datetime,
    rrule: str = "",
    zone: str = "UTC",
    integration_keys: Sequence[str] = (),
    client_slugs: Sequence[str] = (),
    workflow_ids: Sequence[int] = (),
    reason: str = "",
    actor: User | None = None,
) -> Window:
    """Schedule a window and materialize its occurrences up to the horizon.

    1. Check the title, the instants (aware, ending after they start, not over already), the
       scope (known integrations, clients, workflows; one kind) and the rule (recurrence.py).
    2. Short notice: the first occurrence starts sooner than the policy's notice lead; then an
       agent's reason is required, and the clients read it in the notice.
    """
    title = title.strip()
    if not title:
        raise UserError("a window needs a title (--title)")
    # Stored in UTC; the rule is read on ``zone``'s wall clock (recurrence.py).
    start, end = _aware("--start", start).astimezone(UTC), _aware("--end", end).astimezone(UTC)
    if end <= start:
        raise UserError(
            f"the window ends ({end.isoformat()}) before it starts ({start.isoformat()})"
        )
    if end <= now:
        raise UserError(f"the window ended already ({end.isoformat()})")
    integrations = _integrations(integration_keys)
    clients = _clients(client_slugs)
    workflows = _workflows(workflow_ids)
    scope = _scope(integrations, clients, workflows)
    recurrence_of(rule_text=rrule, first_start=start, zone_name=zone)  # refuses a bad rule
    notice_hours, _ = _lead_hours()
    short = start - now < timedelta(hours=notice_hours)
    reason = reason.strip()
    if short and not reason:
        hours = max(int((start - now).total_seconds() // 3600), 0)
        raise UserError(
            f"the window starts in {hours}h, sooner than the {notice_hours}h notice the policy "
            "promises (clause 04): give the reason clients will read (--reason)"
        )
    with transaction.atomic():
        window = Window.objects.create(
            title=title,
            scope=scope,
            first_start=start,
            duration_seconds=int((end - start).total_seconds()),
            rrule=rrule.strip(),
            timezone=zone,
            short_notice=short,
            short_notice_reason=reason if short else "",
            created_at=now,
            created_by=actor,
        )
        window.integrations.set(integrations)
        window.clients.set(clients)
        window.workflows.set(workflows)
        window_expand(window=window, now=now)
    return window


def _occurrence(window: Window, start: datetime, now: datetime) -> Occurrence:
    """An occurrence with its due times: the notice at the lead before it (at once when that
    has passed: short notice), the reminder at its lead unless the notice itself comes later
    than that (a reminder right after the notice tells nothing new), a look at the workflows
    when it ends."""
    notice_hours, reminder_hours = _lead_hours()
    notice_at = max(start - timedelta(hours=notice_hours), now)
    reminder_at = start - timedelta(hours=reminder_hours)
    end = start + window.duration
    return Occurrence(
        window=window,
        starts_at=start,
        ends_at=end,
        notice_due_at=notice_at,
        reminder_due_at=reminder_at if reminder_at > notice_at else None,
        after_due_at=end,
    )


def window_expand(*, window: Window, now: datetime) -> int:
    """Materialize the occurrences starting before the horizon not stored yet; returns how
    many. The caller holds the window (created it, or claimed its ``expand_due_at``)."""
    recurrence = recurrence_of(
        rule_text=window.rrule, first_start=window.first_start, zone_name=window.timezone
    )
    notice_hours, _ = _lead_hours()
    until = horizon_end(now=now, notice_lead=timedelta(hours=notice_hours))
    since = window.expanded_until or window.first_start
    starts = recurrence.starts_between(since, until)
    # Occurrences over before now are history: nobody is told about them.
    fresh = [_occurrence(window, start, now) for start in starts if start + window.duration > now]
    Occurrence.objects.bulk_create(fresh, ignore_conflicts=True)
    more = recurrence.has_more_from(until)
    Window.objects.filter(pk=window.pk).update(
        expanded_until=until, expand_due_at=now + EXPAND_EVERY if more else None
    )
    window.expanded_until, window.expand_due_at = until, (now + EXPAND_EVERY if more else None)
    return len(fresh)
