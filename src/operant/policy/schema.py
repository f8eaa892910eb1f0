"""The policy file's terms as typed, frozen values.

Every term of ``operant.toml`` has a field here, and every scalar goes through a validator that
says in plain words what it expects and what it got: an operator who mistypes a number reads
``must be a whole number from 0 to 366, got "one"``, not a pydantic type name. Unknown keys are
errors, because a misspelt term that is silently ignored would leave the desk enforcing a default
the operator believes they changed.

The ``[calendar]`` table is not modelled here: ``operant.calendar.parse_calendar`` owns its
format, and the loader attaches the parsed calendar to the ``Policy`` (see ``loader.py``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    PlainValidator,
    PrivateAttr,
    Tag,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from operant.core.errors import UserError
from operant.policy.classes import RequestClass

if TYPE_CHECKING:
    from operant.calendar import BusinessCalendar


class PolicyError(UserError):
    """A policy file (or a request against it) that cannot be used, in one readable line.

    ``source``, ``line`` and ``key`` are kept apart from the message so callers (the CLI, the
    admin, tests) can point at the spot without parsing text.
    """

    def __init__(
        self, message: str, *, source: str = "", line: int | None = None, key: str = ""
    ) -> None:
        super().__init__(message)
        self.source = source
        self.line = line
        self.key = key


class OutOfScopeKey(StrEnum):
    """Clause 02 categories. Scope verdicts record these keys, so the file must define each."""

    NEW_FEATURE = "new_feature"
    SIGNIFICANT_CHANGE = "significant_change"
    MIGRATION = "migration"
    REBUILD_AFTER_CLIENT_CHANGE = "rebuild_after_client_change"
    CLIENT_ERROR = "client_error"
    UNAUTHORIZED_MODIFICATION = "unauthorized_modification"
    THIRD_PARTY_CHANGE = "third_party_change"


# Active ISO 4217 codes. No maintained library in our stack carries the list, and it changes
# about once a decade, so it lives here as data.
_ISO_4217_CODES = """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN
    BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP
    GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS
    KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR
    MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF
    SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD
    TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG"""
ISO_4217 = frozenset(_ISO_4217_CODES.split())

_MONEY = re.compile(r"\d{1,12}(\.\d{1,2})?")
_HHMM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_SLUG = re.compile(r"[a-z][a-z0-9_]*")


def shown(value: Any) -> str:
    """A value as the operator wrote it in TOML, for "got ..." in error messages."""
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "a list" if len(value) > 3 else json.dumps(value, default=str, ensure_ascii=False)
    return str(value)


def _fail(expected: str, value: Any) -> PydanticCustomError:
    # The template is formatted by pydantic; braces in the value itself are not re-expanded.
    return PydanticCustomError(
        "policy",
        "must be {expected}, got {got}",
        {
            "expected": expected,
            "got": shown(value),
        },
    )


def _whole(minimum: int, maximum: int) -> PlainValidator:
    # Every number has an upper bound too: the desk does date and money arithmetic with them,
    # and a value past any sensible one (1e308 hours) would fail there, on every pass.
    def check(value: Any) -> int:
        # bool is an int in Python, but `true` is never a count the operator meant.
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            raise _fail(f"a whole number from {minimum} to {maximum}", value)
        return value

    return PlainValidator(check)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _fail("text in quotes", value)
    if not value.strip():
        raise PydanticCustomError("policy", "must not be empty")
    return value.strip()


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _fail("true or false", value)
    return value


def _hours(maximum: int) -> PlainValidator:
    def check(value: Any) -> float:
        # Written so that nan (valid TOML) fails too: every comparison with it is false.
        number = value if isinstance(value, int | float) and not isinstance(value, bool) else 0
        if not 0 < number <= maximum:
            raise _fail(f"a number of hours more than 0 and at most {maximum}", value)
        return float(value)

    return PlainValidator(check)


def _date(value: Any) -> dt.date:
    # TOML has a date type (unquoted 2026-03-13); a quoted ISO date is accepted too, since
    # quoting it is the commonest slip and means the same thing.
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise _fail("a date like 2026-03-13", value)


def _money(value: Any) -> Decimal:
    # Money is written as a string ("125.00") so it is never a binary float; a whole TOML
    # integer is exact too and is accepted.
    exact = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    amount = (
        Decimal(value) if exact or (isinstance(value, str) and _MONEY.fullmatch(value)) else None
    )
    if amount is None or amount > MAX_MONEY:
        raise _fail(
            f'an amount of money in quotes with at most 2 decimals, up to "{MAX_MONEY}", '
            'like "125.00"',
            value,
        )
    return amount


def _currency(value: Any) -> str:
    if isinstance(value, str) and value in ISO_4217:
        return value
    raise _fail('an ISO 4217 currency code in capitals, like "USD"', value)


def _cutoff(value: Any) -> dt.time:
    if isinstance(value, dt.time) and value.tzinfo is None:  # built in code, not from TOML
        return value.replace(second=0, microsecond=0)
    match = _HHMM.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise _fail('a 24-hour time "HH:MM", like "15:00"', value)
    return dt.time(int(match[1]), int(match[2]))


def _email(value: Any) -> str:
    text = _text(value)
    try:
        validate_email(text)
    except DjangoValidationError:
        raise _fail("an email address", value) from None
    return text


def _slug(value: Any) -> str:
    if isinstance(value, str) and _SLUG.fullmatch(value):
        return value
    raise _fail("a key of lowercase letters, digits and _", value)


def _url(value: Any) -> str:
    if isinstance(value, str) and re.fullmatch(r"https?://\S+", value):
        return value
    raise _fail("an http(s) URL", value)


def _percent_list(value: Any) -> tuple[int, ...]:
    ok = isinstance(value, list) and all(
        isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 100 for v in value
    )
    if not ok or list(value) != sorted(set(value)):
        raise _fail("a list of increasing percentages from 1 to 100, like [80, 100]", value)
    return tuple(value)


Text = Annotated[str, PlainValidator(_text)]
Flag = Annotated[bool, PlainValidator(_flag)]
# Upper bounds: generous for any real policy, far inside what dates and columns can hold.
MAX_DAYS = 366
MAX_HOURS = 24 * MAX_DAYS
# A month's minutes: an allowance or a request cannot use more time than the month has.
MAX_MONTH_MINUTES = 31 * 24 * 60
MAX_MONEY = Decimal("1000000.00")
Days = Annotated[int, _whole(0, MAX_DAYS)]
PositiveDays = Annotated[int, _whole(1, MAX_DAYS)]
LeadHours = Annotated[int, _whole(0, MAX_HOURS)]
MonthMinutes = Annotated[int, _whole(0, MAX_MONTH_MINUTES)]
PositiveMonthMinutes = Annotated[int, _whole(1, MAX_MONTH_MINUTES)]
# Whole hours print as "2", not "2.0", in the summary and JSON.
Hours = Annotated[
    float, _hours(MAX_HOURS), PlainSerializer(lambda h: int(h) if h.is_integer() else h)
]
Day = Annotated[dt.date, PlainValidator(_date), PlainSerializer(dt.date.isoformat)]
Money = Annotated[Decimal, PlainValidator(_money), PlainSerializer(str)]
Currency = Annotated[str, PlainValidator(_currency)]
Cutoff = Annotated[dt.time, PlainValidator(_cutoff), PlainSerializer(lambda t: t.strftime("%H:%M"))]
Email = Annotated[str, PlainValidator(_email)]
Slug = Annotated[str, PlainValidator(_slug)]
Url = Annotated[str, PlainValidator(_url)]
# Explicit serializers: pydantic cannot infer one through a plain validator for these types.
Percents = Annotated[tuple[int, ...], PlainValidator(_percent_list), PlainSerializer(list)]


class Term(BaseModel):
    """Base of every table: frozen, and unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class PolicyMeta(Term):
    organisation: Text
    title: Text
    version: Text
    effective: Day
    summary: Text


class Contact(Term):
    support_email: Email


class BusinessDaysRule(Term):
    """Due at close of business ``business_days`` after the day of receipt.

    With a ``cutoff``, a request received after that local time counts from the next business
    day; ``business_days = 0`` with a cutoff is "same business day".
    """

    business_days: Days
    cutoff: Cutoff | None = None


class BusinessHoursRule(Term):
    """Due after this many business hours, counted on the calendar."""

    business_hours: Hours


# Tags are dropped from error locations by the loader (they start with "<").
DAYS_TAG, HOURS_TAG = "<business_days>", "<business_hours>"


def _rule_kind(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return DAYS_TAG if isinstance(value, BusinessDaysRule) else HOURS_TAG
    if not isinstance(value, dict):
        return None
    has_days, has_hours = "business_days" in value, "business_hours" in value
    if has_days == has_hours:  # neither, or both: the operator has to choose
        return None
    return DAYS_TAG if has_days else HOURS_TAG


DeadlineRule = Annotated[
    Annotated[BusinessDaysRule, Tag(DAYS_TAG)] | Annotated[BusinessHoursRule, Tag(HOURS_TAG)],
    Discriminator(
        _rule_kind,
        custom_error_type="policy",
        custom_error_message=(
            'must be a table with either business_days (and an optional cutoff = "HH:MM") '
            "or business_hours"
        ),
    ),
]


class ResponseClass(Term):
    label: Text
    target: DeadlineRule
    limit: DeadlineRule


class ResponseClasses(Term):
    """One entry per request class. ``general`` and ``outage`` are required; the other classes
    fall back to ``general`` (see ``Response.rule_for``)."""

    general: ResponseClass
    outage: ResponseClass
    adjustment: ResponseClass | None = None
    out_of_scope: ResponseClass | None = None
    not_covered: ResponseClass | None = None


class Response(Term):
    warning_lead_hours: Hours
    classes: ResponseClasses

    def rule_for(self, request_class: str) -> ResponseClass:
        """The targets for a request class, falling back to ``general`` when the file gives
        that class none of its own. Raises ``PolicyError`` naming the known classes."""
        try:
            known = RequestClass(request_class)
        except ValueError:
            names = ", ".join(c.value for c in RequestClass)
            raise PolicyError(
                f"unknown request class {request_class!r}; known classes: {names}",
                key="response.classes",
            ) from None
        return getattr(self.classes, known.value) or self.classes.general

    def defined(self) -> list[tuple[RequestClass, ResponseClass]]:
        """The classes the file gives targets of their own, in the desk's order."""
        order = [
            RequestClass.GENERAL,
            RequestClass.OUTAGE,
            RequestClass.ADJUSTMENT,
            RequestClass.OUT_OF_SCOPE,
            RequestClass.NOT_COVERED,
        ]
        found = [(c, getattr(self.classes, c.value)) for c in order]
        return [(c, rule) for c, rule in found if rule is not None]


class Allowance(Term):
    minutes_per_month: MonthMinutes
    carry_over: Flag
    minor_request_limit_minutes: PositiveMonthMinutes
    notify_at_percent: Percents


class Quotes(Term):
    hourly_rate: Money
    currency: Currency
    validity_days: PositiveDays


class OutOfScope(Term):
    key: Annotated[
        OutOfScopeKey, PlainValidator(lambda v: _known_scope_key(v)), PlainSerializer(str)
    ]
    text: Text

    @property
    def clause(self) -> str:
        return "02"


def _known_scope_key(value: Any) -> OutOfScopeKey:
    try:
        return OutOfScopeKey(value)
    except ValueError:
        names = ", ".join(k.value for k in OutOfScopeKey)
        raise _fail(f"one of {names}", value) from None


class Maintenance(Term):
    notice_lead_hours: LeadHours
    reminder_lead_hours: LeadHours

    @field_validator("reminder_lead_hours")
    @classmethod
    def _reminder_before_notice(cls, value: int, info: ValidationInfo) -> int:
        # A reminder sent earlier than the notice itself would be the first word, not a reminder.
        notice = info.data.get("notice_lead_hours")
        if notice is not None and value >= notice:
            raise PydanticCustomError(
                "policy",
                "must be less than notice_lead_hours ({notice}), got {got}",
                {"notice": notice, "got": value},
            )
        return value


class Monitoring(Term):
    """Clause 01 (hosting and monitoring) and 03 (outages): how the desk reacts when a
    workflow it monitors goes down."""

    # A workflow that flips more than this many times within the window alerts once, then
    # the operator gets a summary instead of one alert per flip.
    flap_limit: Annotated[int, _whole(2, 1000)] = 4
    flap_window_minutes: Annotated[int, _whole(1, 24 * 60)] = 30
    # Tell the client by email when monitoring opens or updates an outage ticket, and again
    # when the workflow recovers.
    notify_clients: Flag = True


# Severity of a third-party disruption, mildest first: the Statuspage component states an
# incident can put one of our integrations in ([disruptions].minimum_severity).
SEVERITIES = ("degraded_performance", "partial_outage", "major_outage")


def _severity(value: Any) -> str:
    if value not in SEVERITIES:
        raise _fail(f"one of {', '.join(SEVERITIES)}", value)
    return value


class Disruptions(Term):
    """Clause 05: when a third-party disruption is material, so clients are told of it (with
    a workaround), and whether an agent approves those notices first."""

    # The least severity that counts, and how long it must have lasted before notices go out
    # (a blip that is over in minutes is not worth an email to every client).
    minimum_severity: Annotated[str, PlainValidator(_severity)] = "partial_outage"
    minimum_minutes: Annotated[int, _whole(0, 24 * 60)] = 15
    notices_need_approval: Flag = False


class Corroboration(Term):
    """Clause 05: monitoring's own signals suggest a vendor incident before the vendor's page
    admits it. One client's workflows failing together is that client's problem, so at least
    two clients are needed."""

    min_clients: Annotated[int, _whole(2, 10_000)] = 3
    window_minutes: Annotated[int, _whole(1, 24 * 60)] = 15


class Vendor(Term):
    key: Slug
    name: Text
    status_url: Url | None = None


class Suspension(Term):
    past_due_after_days: Days
    grace_days: Days
    reactivation_fee: Money
    currency: Currency


def _unique(items: tuple[Any, ...]) -> None:
    seen: set[str] = set()
    for item in items:
        if item.key in seen:
            raise PydanticCustomError(
                "policy",
                "key {key} appears twice",
                {
                    "key": shown(str(item.key)),
                },
            )
        seen.add(item.key)


T = TypeVar("T")


@dataclass(frozen=True)
class Decision(Generic[T]):
    """A value the desk decided, with the clause and policy version behind it.

    Store ``policy_version`` as a FK to ``PolicyVersion`` (``services.policy_version_record``)
    next to ``clause`` and ``reason`` so a client can ask "why?" and get this policy's words.
    """

    value: T
    clause: str
    policy_version: str
    reason: str


class Policy(Term):
    """The whole policy. Build it with ``loader.parse_policy``/``load_policy``, which also
    attach the parsed business calendar, the file text and its sha256."""

    # `[policy]` in the file; `meta` here, because `policy.policy.version` reads badly.
    meta: PolicyMeta = Field(alias="policy")
    contact: Contact
    response: Response
    allowance: Allowance
    quotes: Quotes
    out_of_scope: tuple[OutOfScope, ...]
    maintenance: Maintenance
    vendors: tuple[Vendor, ...]
    suspension: Suspension
    monitoring: Monitoring = Monitoring()
    disruptions: Disruptions = Disruptions()
    corroboration: Corroboration = Corroboration()

    _calendar: Any = PrivateAttr(default=None)
    _calendar_table: dict[str, Any] = PrivateAttr(default_factory=dict)
    _text: str = PrivateAttr(default="")
    _source: str = PrivateAttr(default="")
    _sha256: str = PrivateAttr(default="")

    @field_validator("out_of_scope")
    @classmethod
    def _every_category_once(cls, value: tuple[OutOfScope, ...]) -> tuple[OutOfScope, ...]:
        # Scope verdicts cite these keys, so a category the file forgot would be a verdict
        # the public page cannot explain.
        _unique(value)
        missing = [k.value for k in OutOfScopeKey if k not in {c.key for c in value}]
        if missing:
            raise PydanticCustomError(
                "policy",
                "missing categories: {names}",
                {
                    "names": ", ".join(missing),
                },
            )
        return value

    @field_validator("vendors")
    @classmethod
    def _vendor_keys_unique(cls, value: tuple[Vendor, ...]) -> tuple[Vendor, ...]:
        _unique(value)
        return value

    @property
    def version(self) -> str:
        return self.meta.version

    @property
    def effective(self) -> dt.date:
        return self.meta.effective

    @property
    def sha256(self) -> str:
        return self._sha256

    @property
    def text(self) -> str:
        return self._text

    @property
    def source(self) -> str:
        return self._source

    @property
    def calendar(self) -> BusinessCalendar:
        if self._calendar is None:
            raise RuntimeError("Policy built without its calendar: use loader.parse_policy")
        return self._calendar

    @property
    def business_calendar(self) -> BusinessCalendar:
        """Same as ``calendar``; the longer name reads better beside other calendars."""
        return self.calendar

    @property
    def calendar_table(self) -> dict[str, Any]:
        """The ``[calendar]`` table as written, for display (the calendar module owns it)."""
        return self._calendar_table

    def out_of_scope_category(self, key: str) -> OutOfScope:
        for category in self.out_of_scope:
            if category.key == key:
                return category
        names = ", ".join(k.value for k in OutOfScopeKey)
        raise PolicyError(
            f"unknown out-of-scope category {key!r}; known: {names}", key="out_of_scope"
        )

    def vendor(self, key: str) -> Vendor:
        for vendor in self.vendors:
            if vendor.key == key:
                return vendor
        names = ", ".join(v.key for v in self.vendors)
        raise PolicyError(f"unknown vendor {key!r}; known: {names}", key="vendors")

    def decide(self, value: T, *, clause: str, reason: str) -> Decision[T]:
        """A decision taken under this policy version, citing its clause."""
        return Decision(value=value, clause=clause, policy_version=self.version, reason=reason)
