"""The API's shapes of a workflow. Output fields follow ``operant.monitoring.serialize``, the one
JSON shape the CLI prints too; inputs are bounded as the registry checks them, so a request the
schema allows reaches the service, which refuses what no schema can say (400)."""

from __future__ import annotations

from typing import Annotated

from ninja import Field, Schema
from pydantic import ConfigDict

from operant.api.schemas import NOT_BLANK, SLUG_MAX, SLUG_PATTERN, UtcDatetime
from operant.monitoring.models import Platform, ScheduleKind, SignalKind, SignalSource
from operant.monitoring.models import WorkflowState as State
from operant.monitoring.registry import MAX_TEXT
from operant.monitoring.schedule import MAX_GRACE, MAX_PERIOD, MIN_PERIOD

NAME_MAX = 200  # Workflow.name
REASON_MAX = 255  # Workflow.paused_reason
MAX_IDENTIFIERS = 50
Identifier = Annotated[str, Field(max_length=128)]
IntegrationKey = Annotated[str, Field(max_length=64)]
Period = Annotated[
    int, Field(ge=int(MIN_PERIOD.total_seconds()), le=int(MAX_PERIOD.total_seconds()))
]
Grace = Annotated[int, Field(ge=1, le=int(MAX_GRACE.total_seconds()))]
SilenceHours = Annotated[int, Field(ge=1, le=24 * 90)]
Cron = Annotated[str, Field(max_length=100, description='e.g. "0 9 * * 1-5"')]
TimeZone = Annotated[str, Field(max_length=64, description="IANA name, e.g. America/New_York")]
LongText = Annotated[str, Field(max_length=MAX_TEXT)]


class IdentifiersOut(Schema):
    phones: list[str]
    sids: list[str]
    accounts: list[str]


class ScheduleOut(Schema):
    kind: ScheduleKind
    period_seconds: int | None
    grace_seconds: int
    cron: str | None
    tz: str


class MyWorkflowOut(Schema):
    """What a client sees of its own workflow."""

    id: int
    name: str
    platform: Platform
    integrations: list[str]
    identifiers: IdentifiersOut
    schedule: ScheduleOut
    state: State
    state_reason: str
    last_signal_at: UtcDatetime | None
    paused_at: UtcDatetime | None
    outage_ticket: str | None = Field(description="the open outage ticket, like OPR-12")
    ping_url: str = Field(description="a path: POST or GET it after each run, /fail on failure")
    current_version: int | None


class WorkflowOut(MyWorkflowOut):
    client: str = Field(description="the client's slug")
    owner_notes: str
    silence_hours: int | None
    last_ping_at: UtcDatetime | None
    due_at: UtcDatetime | None = Field(description="when the state may next change by time")
    paused_reason: str | None
    created_at: UtcDatetime
    updated_at: UtcDatetime


class WorkflowPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[WorkflowOut]


class WorkflowFilters(Schema):
    client: str | None = Field(
        None, description="a client's slug", pattern=SLUG_PATTERN, max_length=SLUG_MAX
    )
    platform: Platform | None = None
    state: State | None = None


class WorkflowCreateIn(Schema):
    client: str = Field(description="the client's slug", pattern=SLUG_PATTERN, max_length=SLUG_MAX)
    name: str = Field(max_length=NAME_MAX, pattern=NOT_BLANK)
    platform: Platform
    integrations: list[IntegrationKey] = Field(
        description="keys in the client's package (clause 05)", min_length=1, max_length=20
    )
    period_seconds: Period | None = Field(None, description="a heartbeat every so often, or")
    cron: Cron = Field("", description="a heartbeat at each fire of a cron expression")
    tz: TimeZone = "UTC"
    grace_seconds: Grace | None = Field(None, description="how late before down; 1 hour if unset")
    phones: list[Identifier] = Field(default_factory=list, max_length=MAX_IDENTIFIERS)
    sids: list[Identifier] = Field(default_factory=list, max_length=MAX_IDENTIFIERS)
    accounts: list[Identifier] = Field(default_factory=list, max_length=MAX_IDENTIFIERS)
    owner_notes: LongText = ""
    silence_hours: SilenceHours | None = None
    logic: LongText = Field("", description="the automation logic: the first version")
    copy_: LongText = Field("", alias="copy", description="the messaging copy")


class WorkflowUpdateIn(Schema):
    """Only the fields sent change; identifier lists sent replace that kind's list."""

    # Ninja's Schema reads attributes of anything it is given, so with every field optional a
    # list or a number would pass as "change nothing"; and a misspelt field would be ignored.
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=NAME_MAX, pattern=NOT_BLANK)
    platform: Platform | None = None
    integrations: list[IntegrationKey] | None = Field(None, min_length=1, max_length=20)
    period_seconds: Period | None = None
    cron: Cron | None = None
    tz: TimeZone | None = None
    grace_seconds: Grace | None = None
    phones: list[Identifier] | None = Field(None, max_length=MAX_IDENTIFIERS)
    sids: list[Identifier] | None = Field(None, max_length=MAX_IDENTIFIERS)
    accounts: list[Identifier] | None = Field(None, max_length=MAX_IDENTIFIERS)
    owner_notes: LongText | None = None
    silence_hours: SilenceHours | None = None


class PauseIn(Schema):
    reason: str = Field(description="shown on the board", max_length=REASON_MAX, pattern=NOT_BLANK)


class SignalOut(Schema):
    at: UtcDatetime
    source: SignalSource
    kind: SignalKind
    exit_status: int | None
    duration_ms: int | None


class StatusOut(Schema):
    id: int
    state: State
    state_reason: str
    last_signal_at: UtcDatetime | None
    due_at: UtcDatetime | None
    outage_ticket: str | None
    down_since: UtcDatetime | None = Field(description="the open downtime's start, if down")
    signals: list[SignalOut] = Field(description="the latest signals, oldest first")
