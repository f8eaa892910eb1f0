"""The public policy page, written from the same file the engine enforces.

``render_policy`` turns a ``Policy`` into the published *Support and Maintenance Policy* (clauses
01-07 in the published wording) plus "How we count business days", as Markdown or as a
standalone HTML page. Every number on the page comes from the file, so the page cannot drift
from what the desk does. The words around the numbers live in the templates; this module only
turns terms into phrases ("1 to 2 business days", "3:00 PM").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from django.template.loader import render_to_string

from operant.policy.schema import BusinessDaysRule, BusinessHoursRule, Policy, ResponseClass

Format = Literal["md", "html"]
Rule = BusinessDaysRule | BusinessHoursRule

DAYS = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
]
_ORDINALS = ["", "next", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth"]
_RANGE = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")
SECTIONS = [
    ("01", "Included Support"),
    ("02", "Out-of-Scope Support"),
    ("03", "Response Times"),
    ("04", "Planned Maintenance"),
    ("05", "Third-Party Dependencies"),
    ("06", "Service Suspension"),
    ("07", "Contact"),
]


def render_policy(policy: Policy, fmt: Format) -> str:
    """The public page for ``policy`` as Markdown (``"md"``) or HTML (``"html"``)."""
    if fmt not in ("md", "html"):
        raise ValueError(f"unknown format {fmt!r}: use md or html")
    text = render_to_string(f"policy/public.{fmt}", policy_context(policy))
    # Template tags leave blank lines behind; Markdown and HTML both read better without runs.
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


@dataclass(frozen=True)
class Definition:
    term: str
    meaning: str


@dataclass(frozen=True)
class TargetRow:
    label: str
    phrase: str
    target: str
    limit: str


def policy_context(policy: Policy) -> dict[str, Any]:
    """Everything the templates print, already phrased."""
    tz = policy_timezone(policy)
    general = policy.response.classes.general
    rows = [
        TargetRow(
            label=rule.label,
            phrase=class_phrase(rule),
            target=rule_term(rule.target),
            limit=rule_term(rule.limit),
        )
        for _, rule in policy.response.defined()
    ]
    holidays = policy.calendar_table.get("holidays") or {}
    return {
        "policy": policy,
        "meta": policy.meta,
        "last_updated": long_date(policy.effective),
        "sections": SECTIONS,
        "allowance": policy.allowance,
        "general_phrase": class_phrase(general),
        "notify_percents": join_words([f"{p}%" for p in policy.allowance.notify_at_percent]),
        "hourly_rate": money(policy.quotes.hourly_rate, policy.quotes.currency),
        "quotes": policy.quotes,
        "out_of_scope": policy.out_of_scope,
        "targets": rows,
        "maintenance": policy.maintenance,
        "vendor_names": ", ".join(v.name for v in policy.vendors),
        "disruptions": policy.disruptions,
        "disruption_severity": policy.disruptions.minimum_severity.replace("_", " "),
        "suspension": policy.suspension,
        "reactivation_fee": money(policy.suspension.reactivation_fee, policy.suspension.currency),
        "email": policy.contact.support_email,
        "timezone": tz,
        "opening_hours": opening_hours(policy.calendar_table.get("hours") or {}),
        "holidays_country": holidays.get("country", ""),
        "holidays_subdivision": holidays.get("subdivision", ""),
        "closed_dates": join_words([long_date(d) for d in closed_dates(policy)]),
        "definitions": definitions(policy, tz),
    }


# -- phrases -----------------------------------------------------------------------------------


def rule_term(rule: Rule) -> str:
    """How a single deadline rule is named on the page ("1 business day", "same business day")."""
    if isinstance(rule, BusinessHoursRule):
        return f"{number(rule.business_hours)} business hour{_s(rule.business_hours)}"
    days = rule.business_days
    name = "same business day" if days == 0 else f"{days} business day{_s(days)}"
    if rule.cutoff is not None and days > 0:
        name += f" with a {clock(rule.cutoff)} cutoff"
    return name


def class_phrase(rule: ResponseClass) -> str:
    """The published phrase for a class: "1 to 2 business days", "same business day where
    possible" (the target is same-day, with a later outer limit)."""
    target, limit = rule.target, rule.limit
    if isinstance(target, BusinessDaysRule) and target.business_days == 0:
        return "same business day where possible"
    if isinstance(target, BusinessDaysRule) and isinstance(limit, BusinessDaysRule):
        low, high = target.business_days, limit.business_days
        if low < high and target.cutoff == limit.cutoff:
            return f"{low} to {high} business days"
    if isinstance(target, BusinessHoursRule) and isinstance(limit, BusinessHoursRule):
        low_h, high_h = target.business_hours, limit.business_hours
        if low_h < high_h:
            return f"{number(low_h)} to {number(high_h)} business hours"
    if rule_term(target) == rule_term(limit):
        return rule_term(target)
    return f"{rule_term(target)} (at the latest {rule_term(limit)})"


def definitions(policy: Policy, tz: str) -> list[Definition]:
    """What each deadline used on the page means, in plain words, shortest first."""
    rules: list[Rule] = []
    for _, rule in policy.response.defined():
        for one in (rule.target, rule.limit):
            if one not in rules:
                rules.append(one)
    rules.sort(key=lambda r: (isinstance(r, BusinessHoursRule), _size(r)))
    return [Definition(term=rule_term(r), meaning=rule_meaning(r, tz)) for r in rules]


def rule_meaning(rule: Rule, tz: str) -> str:
    if isinstance(rule, BusinessHoursRule):
        hours = number(rule.business_hours)
        return f"within {hours} hour{_s(rule.business_hours)} counted only while we are open"
    days, cutoff = rule.business_days, rule.cutoff
    if days == 0 and cutoff is not None:
        return (
            f"by close of business that day if received before the cutoff {clock(cutoff)} {tz}, "
            "otherwise by close of the next business day"
        )
    late = f"after {clock(cutoff)} {tz}" if cutoff is not None else "after close"
    rollover = f"(a request received {late} counts from the next business day)"
    if days == 0:
        return f"by close of business that day {rollover}"
    nth = _ORDINALS[days] if days < len(_ORDINALS) else f"{days}th"
    return (
        f"by close of business on the {nth} business day after the day we receive your request "
        + rollover
    )


def opening_hours(hours: dict[str, Any]) -> list[tuple[str, str]]:
    """("Monday to Friday", "9:00 AM to 5:00 PM") rows, consecutive equal days grouped."""
    rows: list[tuple[list[str], str]] = []
    for key, name in DAYS:
        ranges = hours.get(key) or []
        text = " and ".join(_range(r) for r in ranges) if ranges else "closed"
        if rows and rows[-1][1] == text:
            rows[-1][0].append(name)
        else:
            rows.append(([name], text))
    out = []
    for names, text in rows:
        days = names[0] if len(names) == 1 else f"{names[0]} to {names[-1]}"
        if len(names) == 2:
            days = f"{names[0]} and {names[1]}"
        out.append((days, text))
    return out


def closed_dates(policy: Policy) -> list[dt.date]:
    dates = []
    for value in policy.calendar_table.get("closed") or []:
        if isinstance(value, dt.date):
            dates.append(value)
        else:
            try:
                dates.append(dt.date.fromisoformat(str(value)))
            except ValueError:
                continue  # a form the calendar accepts but we cannot phrase; it still applies
    return sorted(dates)


def policy_timezone(policy: Policy) -> str:
    zone = policy.calendar.timezone
    return str(getattr(zone, "key", None) or zone)


# -- small formatters ----------------------------------------------------------------------------


def clock(value: dt.time) -> str:
    """15:00 → "3:00 PM" (the page is read by US clients)."""
    hour = value.hour % 12 or 12
    return f"{hour}:{value.minute:02d} {'AM' if value.hour < 12 else 'PM'}"


def long_date(value: dt.date) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def join_words(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + f", and {items[-1]}"


def _range(text: str) -> str:
    match = _RANGE.fullmatch(str(text).strip())
    if match is None:
        return str(text)
    start = dt.time(int(match[1]), int(match[2]))
    end_hour = int(match[3])
    end = dt.time(0, 0) if end_hour == 24 else dt.time(end_hour, int(match[4]))
    return f"{clock(start)} to {'midnight' if end_hour == 24 else clock(end)}"


def _s(count: float) -> str:
    return "" if count == 1 else "s"


def _size(rule: Rule) -> tuple[float, int]:
    if isinstance(rule, BusinessHoursRule):
        return (rule.business_hours, 0)
    return (rule.business_days, 0 if rule.cutoff is None else 1)


# -- the CLI summary ---------------------------------------------------------------------------


def policy_summary(policy: Policy) -> list[str]:
    """Every term of ``policy`` as ``dotted.key  value`` lines, for ``operant policy show``."""
    lines = [
        f"{policy.meta.title} ({policy.meta.organisation})",
        f"version {policy.version}, effective {policy.effective.isoformat()}",
        f"file {policy.source}",
        f"sha256 {policy.sha256}",
        "",
    ]
    rows: list[tuple[str, str]] = []
    terms = policy.model_dump(mode="json", by_alias=True)
    for table, value in terms.items():
        if table == "response":
            rows.append(("response.warning_lead_hours", str(value["warning_lead_hours"])))
            for name in type(policy.response.classes).model_fields:
                rule = getattr(policy.response.classes, name)
                rows.append((f"response.classes.{name}", _class_summary(rule)))
        elif table == "calendar":
            continue
        else:
            rows.extend(_flatten(table, value))
        if table == "contact":  # the calendar table sits after [contact] in the file
            rows.extend(_flatten("calendar", policy.calendar_table))
    width = max(len(key) for key, _ in rows)
    lines.extend(f"{key.ljust(width)}  {text}" for key, text in rows)
    return lines


def _class_summary(rule: ResponseClass | None) -> str:
    if rule is None:
        return "(none: uses general)"
    return (
        f"{rule.label}: {class_phrase(rule)}; target {rule_term(rule.target)} "
        f"({_as_toml(rule.target)}), at the latest {rule_term(rule.limit)} "
        f"({_as_toml(rule.limit)})"
    )


def _as_toml(rule: Rule) -> str:
    # The rule as the operator wrote it, so the summary can be checked against the file.
    fields = rule.model_dump(mode="json", exclude_none=True)
    return ", ".join(
        f'{key} = "{value}"' if isinstance(value, str) else f"{key} = {value}"
        for key, value in fields.items()
    )


def _flatten(prefix: str, value: Any) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        rows: list[tuple[str, str]] = []
        for key, item in value.items():
            rows.extend(_flatten(f"{prefix}.{key}", item))
        return rows
    if isinstance(value, list) and any(isinstance(item, dict) for item in value):
        rows = []
        for index, item in enumerate(value):
            rows.extend(_flatten(f"{prefix}[{index}]", item))
        return rows
    if isinstance(value, list):
        return [(prefix, ", ".join(str(item) for item in value) or "(none)")]
    if isinstance(value, bool):
        return [(prefix, "true" if value else "false")]
    return [(prefix, "(none)" if value is None else str(value))]
