"""The workflow registry: creating, changing and versioning client workflows.

Clause 05: a workflow may use only integrations in its client's service package; anything
else is refused with the package named. Every change of automation logic or messaging copy
is a new version with its author, time and a diff against the previous one.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction

from operant.accounts.models import Integration
from operant.core.limits import check_lengths
from operant.monitoring.errors import MonitoringError
from operant.monitoring.models import (
    IdentifierKind,
    Platform,
    ScheduleKind,
    Workflow,
    WorkflowIdentifier,
    WorkflowVersion,
)
from operant.monitoring.schedule import schedule_check
from operant.monitoring.transitions import workflow_reassess

if TYPE_CHECKING:
    from operant.accounts.models import Client, User
    from operant.allowance.models import TimeEntry
    from operant.desk.models import Ticket

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
# Twilio resource sids: two letters and 32 hex digits (FW… flows, ZS… services, PN… numbers).
SID = re.compile(r"^[A-Z]{2}[0-9a-f]{32}$")
ACCOUNT_ID = re.compile(r"^[0-9A-Za-z_.:-]{1,128}$")


@dataclass
class Identifiers:
    phones: list[str] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)
    sids: list[str] = field(default_factory=list)

    def rows(self) -> list[tuple[str, str]]:
        return (
            [(IdentifierKind.PHONE, v) for v in self.phones]
            + [(IdentifierKind.ACCOUNT, v) for v in self.accounts]
            + [(IdentifierKind.SID, v) for v in self.sids]
        )


def _check_identifiers(identifiers: Identifiers) -> Identifiers:
    def cleaned(
        values: Iterable[str], pattern: re.Pattern[str], what: str, example: str
    ) -> list[str]:
        out = []
        for raw in values:
            value = raw.strip().replace(" ", "")
            if not pattern.match(value):
                raise MonitoringError(f"{what} {raw!r} is not valid; expected {example}")
            if value not in out:
                out.append(value)
        return out

    return Identifiers(
        phones=cleaned(identifiers.phones, E164, "phone number", "E.164 such as +15551234567"),
        accounts=cleaned(identifiers.accounts, ACCOUNT_ID, "account id", "letters and digits"),
        sids=cleaned(
            identifiers.sids, SID, "resource sid", "two capitals and 32 hex digits (FW…, PN…)"
        ),
    )


@dataclass(frozen=True)
class FailureRule:
    """Provider signals take a workflow down when at least ``percent`` of at least
    ``min_messages`` message outcomes within ``window_seconds`` failed."""

    percent: int = 25
    window_seconds: int = 900
    min_messages: int = 10

    def checked(self) -> FailureRule:
        if not 1 <= self.percent <= 100:
            raise MonitoringError("the failure rate is a percent from 1 to 100")
        if not 60 <= self.window_seconds <= 86_400:
            raise MonitoringError("the failure window is from 60 seconds to 1 day")
        if not 1 <= self.min_messages <= 100_000:
            raise MonitoringError("the minimum number of messages is from 1 to 100000")
        return self

    def apply(self, workflow: Workflow) -> None:
        rule = self.checked()
        workflow.failure_rate_percent = rule.percent
        workflow.failure_window_seconds = rule.window_seconds
        workflow.failure_min_messages = rule.min_messages


def integrations_check(client: Client, keys: Iterable[str]) -> list[Integration]:
    """Clause 05: the named integrations, each in the client's package; refused otherwise."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        raise MonitoringError("a workflow uses at least one integration (--integration KEY)")
    coverage = client.coverage()
    known = {i.key: i for i in coverage.catalog}
    chosen = []
    for key in keys:
        if key not in known:
            raise MonitoringError(f"unknown integration {key!r}; known: {', '.join(sorted(known))}")
        if not coverage.includes_key(key):
            included = ", ".join(i.key for i in coverage.included) or "none"
            raise MonitoringError(
                f"{known[key].name} is not in {client.name}'s {client.package.name} package "
                f"(clause 05: only integrations in the active service package are served; "
                f"it includes {included})"
            )
        chosen.append(known[key])
    return chosen


def _check_platform(platform: str) -> str:
    if platform not in Platform.values:
        raise MonitoringError(
            f"unknown platform {platform!r}; expected one of {', '.join(Platform.values)}"
        )
    return platform


def _apply_schedule(
    workflow: Workflow,
    *,
    period_seconds: int | None,
    grace_seconds: int | None,
    cron: str,
    tz: str,
    now: datetime,
) -> None:
    period, grace, cron, tz = schedule_check(
        period_seconds=period_seconds,
        grace_seconds=grace_seconds if grace_seconds is not None else workflow.grace_seconds,
        cron=cron,
        tz=tz,
        now=now,
    )
    workflow.period_seconds = period
    workflow.grace_seconds = grace
    workflow.cron = cron
    workflow.cron_tz = tz
    workflow.schedule_kind = (
        ScheduleKind.SIMPLE if period else ScheduleKind.CRON if cron else ScheduleKind.NONE
    )


def workflow_create(
    *,
    client: Client,
    name: str,
    platform: str,
    integration_keys: Iterable[str],
    now: datetime,
    identifiers: Identifiers | None = None,
    owner_notes: str = "",
    period_seconds: int | None = None,
    grace_seconds: int | None = None,
    cron: str = "",
    tz: str = "UTC",
    silence_hours: int | None = None,
    failure_rule: FailureRule | None = None,
    logic: str = "",
    copy: str = "",
    author: User | None = None,
) -> Workflow:
    """Register a client workflow (and its first version when logic or copy is given)."""
    name = name.strip()
    if not name:
        raise MonitoringError("a workflow needs a name")
    check_lengths(Workflow, MonitoringError, name=name)
    _check_text("owner notes", owner_notes)
    integrations = integrations_check(client, integration_keys)
    checked = _check_identifiers(identifiers or Identifiers())
    workflow = Workflow(
        client=client,
        name=name,
        platform=_check_platform(platform),
        owner_notes=owner_notes,
        created_at=now,
        updated_at=now,
        drift_check_due_at=now,  # the drift check decides whether there is anything to read
    )
    _apply_schedule(
        workflow,
        period_seconds=period_seconds,
        grace_seconds=grace_seconds,
        cron=cron,
        tz=tz,
        now=now,
    )
    workflow.silence_hours = _check_silence(silence_hours)
    (failure_rule or FailureRule()).apply(workflow)
    try:
        with transaction.atomic():
            workflow.save()
            workflow.integrations.set(integrations)
            WorkflowIdentifier.objects.bulk_create(
                WorkflowIdentifier(workflow=workflow, kind=kind, value=value)
                for kind, value in checked.rows()
            )
            if logic or copy:
                workflow_version_record(
                    workflow=workflow, logic=logic, copy=copy, author=author, now=now
                )
            workflow_reassess(workflow=workflow, now=now)
    except IntegrityError:
        raise MonitoringError(f"{client.name} already has a workflow named {name!r}") from None
    return workflow


MAX_TEXT = 200_000


def _check_text(what: str, text: str) -> None:
    if len(text) > MAX_TEXT:
        raise MonitoringError(f"the {what} is at most {MAX_TEXT} characters, got {len(text)}")


def _check_silence(hours: int | None) -> int | None:
    if hours is not None and not 1 <= hours <= 24 * 90:
        raise MonitoringError("silence hours must be from 1 to 2160 (90 days)")
    return hours


def workflow_update(*, workflow: Workflow, now: datetime, **changes: Any) -> Workflow:
    """Change the registry fields given (name, platform, integration_keys, identifiers,
    owner_notes, schedule, silence_hours, failure_rule); the state is reassessed under the
    new terms."""
    with transaction.atomic():
        workflow = Workflow.objects.select_for_update().get(pk=workflow.pk)
        if "name" in changes:
            workflow.name = changes["name"].strip() or workflow.name
        if "platform" in changes:
            workflow.platform = _check_platform(changes["platform"])
        if "owner_notes" in changes:
            workflow.owner_notes = changes["owner_notes"]
        if "silence_hours" in changes:
            workflow.silence_hours = _check_silence(changes["silence_hours"])
        if "failure_rule" in changes:
            changes["failure_rule"].apply(workflow)
        if {"period_seconds", "grace_seconds", "cron", "tz"} & changes.keys():
            _apply_schedule(
                workflow,
                period_seconds=changes.get("period_seconds", workflow.period_seconds),
                grace_seconds=changes.get("grace_seconds", workflow.grace_seconds),
                cron=changes.get("cron", workflow.cron),
                tz=changes.get("tz", workflow.cron_tz),
                now=now,
            )
        if "integration_keys" in changes:
            workflow.integrations.set(
                integrations_check(workflow.client, changes["integration_keys"])
            )
        if "identifiers" in changes:
            checked = _check_identifiers(changes["identifiers"])
            workflow.identifiers.all().delete()
            WorkflowIdentifier.objects.bulk_create(
                WorkflowIdentifier(workflow=workflow, kind=kind, value=value)
                for kind, value in checked.rows()
            )
        workflow.updated_at = now
        # What the workflow names on Twilio may have changed: read its live configuration now.
        workflow.drift_check_due_at = now
        try:
            workflow.save()
        except IntegrityError:
            raise MonitoringError(
                f"{workflow.client.name} already has a workflow named {workflow.name!r}"
            ) from None
        workflow_reassess(workflow=workflow, now=now)
    return workflow


def _diff(before: WorkflowVersion | None, logic: str, copy: str) -> str:
    def lines(label: str, text: str) -> list[str]:
        return [f"{label}: {line}" for line in text.splitlines()]

    old = lines("logic", before.logic) + lines("copy", before.copy) if before else []
    new = lines("logic", logic) + lines("copy", copy)
    previous = f"v{before.number}" if before else "nothing"
    return "\n".join(
        difflib.unified_diff(old, new, fromfile=previous, tofile="this version", lineterm="")
    )


def workflow_version_record(
    *,
    workflow: Workflow,
    logic: str,
    copy: str,
    now: datetime,
    author: User | None = None,
    summary: str = "",
    live_config: dict[str, Any] | None = None,
    ticket: Ticket | None = None,
    time_entry: TimeEntry | None = None,
) -> WorkflowVersion:
    """A new version of the workflow's logic and copy, diffed against the one before.
    ``time_entry``: the minor adjustment that produced it (it must be on the same client); its
    ticket is the version's ticket unless another is named, which is refused."""
    _check_text("logic", logic)
    _check_text("copy", copy)
    if time_entry is not None:
        if time_entry.deleted_at is not None:
            raise MonitoringError("that time entry was removed")
        if ticket is None:
            ticket = time_entry.ticket
        elif time_entry.ticket_id != ticket.pk:
            raise MonitoringError(f"that time entry was logged on another ticket than {ticket.ref}")
    if ticket is not None and ticket.client_id != workflow.client_id:
        raise MonitoringError(f"{ticket.ref} is not a ticket of {workflow.client.name}")
    if time_entry is not None and time_entry.client_id != workflow.client_id:
        raise MonitoringError("that time entry belongs to another client")
    with transaction.atomic():
        before = (
            WorkflowVersion.objects.select_for_update()
            .filter(workflow=workflow)
            .order_by("-number")
            .first()
        )
        if (
            before
            and before.logic == logic
            and before.copy == copy
            and live_config in (None, before.live_config)
        ):
            raise MonitoringError("nothing changed since the current version")
        return WorkflowVersion.objects.create(
            workflow=workflow,
            number=(before.number + 1) if before else 1,
            logic=logic,
            copy=copy,
            live_config=live_config
            if live_config is not None
            else (before.live_config if before else {}),
            diff=_diff(before, logic, copy),
            summary=summary[:255],
            author=author,
            created_at=now,
            ticket=ticket,
            time_entry=time_entry,
        )
