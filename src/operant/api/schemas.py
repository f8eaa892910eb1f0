"""The API's typed shapes. Ticket fields follow ``operant.desk.serialize.ticket_json``, the one
JSON shape of a ticket that the CLI prints too.

``class`` and ``from`` are Python keywords, so those fields are ``class_`` / ``from_`` in Python
with the JSON name as alias; routers serialize by alias.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from ninja import Field, Path, Schema
from pydantic import AfterValidator

from operant.desk.models import ClockState, MessageKind, RequestClass, TicketState

MAX_PAGE = 200
DEFAULT_PAGE = 50
# Far past any real list, and an offset plus a page still fits the databases' 64-bit integers.
MAX_OFFSET = 1_000_000_000
# Row ids are 64-bit on both databases; a larger number in a path can name no row.
MAX_ID = 2**63 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]
# A client's slug, as ``accounts`` makes them.
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
SLUG_MAX = 80
# JSON Schema's pattern is a search: this one says "some character that is not a space".
NOT_BLANK = r"\S"


def _utc(value: datetime) -> datetime:
    # A ticket fresh from a service holds deadlines in the zone they were computed in; one read
    # back from the database holds UTC. Answer UTC always, so equal instants look equal.
    return value.astimezone(UTC) if value.tzinfo is not None else value


UtcDatetime = Annotated[datetime, AfterValidator(_utc)]


class ErrorOut(Schema):
    detail: str


class ValidationIssue(Schema):
    type: str = Field(examples=["less_than_equal"])
    loc: list[str | int] = Field(description="where: body, query or path, then the field")
    msg: str


class ValidationErrorOut(Schema):
    """A request the schema refuses (422): each field that is missing or out of range."""

    detail: list[ValidationIssue]


# Documented on every route so clients (and schemathesis) know every answer's shape.
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut}


class ClockOut(Schema):
    state: ClockState
    target_at: UtcDatetime | None
    limit_at: UtcDatetime | None
    first_response_at: UtcDatetime | None


class TicketBase(Schema):
    ref: str = Field(examples=["OPR-1234"])
    client: str | None = Field(description="the client's slug; null while unmatched")
    requester: str
    subject: str
    class_: RequestClass = Field(alias="class")
    scope_category: str | None
    state: TicketState
    clock: ClockOut
    reasons: list[str] = Field(description="why the ticket has its class")
    clause: str = Field(description="the policy clause behind the class")
    policy_version: str | None
    flagged: bool
    created_at: UtcDatetime | None


class TicketOut(TicketBase):
    messages: int = Field(description="how many messages the ticket has")


class MessageOut(Schema):
    id: int
    kind: MessageKind
    from_: str | None = Field(alias="from", description="'Name <address>', a name, or null")
    created_at: UtcDatetime
    text: str


class TicketDetailOut(TicketBase):
    messages: list[MessageOut] = Field(description="oldest first, internal notes included")


class TicketPage(Schema):
    count: int = Field(description="tickets matching the filters, on every page")
    limit: int
    offset: int
    items: list[TicketOut]


class TicketFilters(Schema):
    """Every filter given must match (they combine with AND)."""

    class_: RequestClass | None = Field(None, alias="class")
    state: TicketState | None = None
    client: str | None = Field(
        None, description="a client's slug", pattern=SLUG_PATTERN, max_length=SLUG_MAX
    )
    unmatched: bool | None = Field(None, description="true: only tickets with no client yet")
    flagged: bool | None = None
    clock_state: ClockState | None = None


class PageParams(Schema):
    limit: int = Field(DEFAULT_PAGE, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class ReplyIn(Schema):
    text: str = Field(description="the reply, sent to the requester by email", pattern=NOT_BLANK)


class ReclassifyIn(Schema):
    class_: RequestClass = Field(alias="class")
    scope_category: str = Field(
        "",
        description="required with out_of_scope: a policy out-of-scope category key",
        max_length=64,
    )
