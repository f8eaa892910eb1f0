"""Triage: give every new support request a class under the Support and Maintenance Policy.

Pure code (no Django, no database): the caller passes what it knows of the client in a
``ClientContext`` and records the ``Classification`` with the policy version in force. The
classifier is a first opinion for an agent, who can reclassify; so it explains itself: ``reasons``
quote the words behind every signal seen, and ``signals`` lists their machine keys.

Rules
-----
The subject and the new part of the message are read together (the subject once; a phrase seen
in both is quoted once). Text is normalised first: lower case, straight apostrophes, whitespace,
hyphens, underscores and slashes collapsed to one space. Signals are word-bounded phrases kept as
data in ``classify_signals``. A phrase preceded, within two words of the same clause, by a
negation ("not urgent", "nothing is broken", "it's not a new feature") does not count.

1. **Integrations (clause 05).** Each integration has aliases (``sms``, ``texts``, ``ivr``,
   ``dms``, ``whatsapp``, ...); catalog entries without hand-written aliases are named by their
   name, their key and their distinctive name words. If the request names an integration that is
   not in the client's package and names none that is, it is ``not_covered`` (clause 05). If it
   names both, it is about the included one and classification goes on. An unknown sender
   (``context=None``) is never ``not_covered``: the mentions are only reported.
2. **Out of scope (clause 02).** One phrase family per policy category: new_feature,
   significant_change, migration, rebuild_after_client_change, client_error,
   unauthorized_modification, third_party_change. Only the categories the policy lists
   (``context.out_of_scope_keys``; all of them for an unknown sender) are used. When several fire,
   the first in the policy's order is the category.
   An ``adjustment_estimate_minutes`` above ``minor_request_limit_minutes`` makes an adjustment
   or a general request a significant_change: the policy's limit for a minor request is exceeded.
   It does not touch an outage: putting a live automation back is not an adjustment.
3. **Outage (clause 03).** A live automation is affected ("stopped working", "texts aren't going
   out", "customers can't reach us", "is down"), or the sender says it is urgent ("urgent",
   "asap", "emergency").
4. **Adjustment (clause 01).** A minor change to logic or copy ("change the greeting", "typo",
   "tweak", "update the hours", "change the delay").
5. **General (clause 01)** otherwise.

Precedence when several fire: not_covered > out_of_scope > outage > adjustment > general. The
deciding reasons come first; every other signal seen follows, marked "also", so an agent sees
that an out-of-scope request also looks like an outage.

Cost: the patterns are compiled once at import (one alternation per category; the integration
matcher once per distinct catalog), and each category is one linear scan of the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from operant.desk.classify_signals import (
    ADJUSTMENT,
    DEFAULT_NAMES,
    INTEGRATION_ALIASES,
    NEGATED_TAIL,
    NEGATION_WINDOW,
    OUTAGE,
    SCOPE_CATEGORIES,
    URGENCY,
    SignalCategory,
    name_aliases,
    normalise,
)

__all__ = [
    "CLASS_CLAUSE",
    "REQUEST_CLASSES",
    "Classification",
    "ClientContext",
    "IntegrationInfo",
    "classify_request",
]

# The policy clause behind each class: what a client is shown as "why".
CLASS_CLAUSE: dict[str, str] = {
    "outage": "03",
    "general": "01",
    "adjustment": "01",
    "out_of_scope": "02",
    "not_covered": "05",
}
REQUEST_CLASSES: tuple[str, ...] = tuple(CLASS_CLAUSE)

# Every clause 02 key, in the policy's order: what an unknown sender is checked against.
ALL_SCOPE_KEYS: tuple[str, ...] = tuple(SCOPE_CATEGORIES)

# Emails can carry pasted logs or whole documents; the request itself is in the first pages, and
# bounding the input bounds the cost of classifying it.
MAX_CHARS = 64_000
# Quotes per reason: enough to show why, short enough to read.
MAX_QUOTES = 3
MAX_QUOTE_CHARS = 60


@dataclass(frozen=True)
class IntegrationInfo:
    key: str  # "twilio_sms", "twilio_voice", "instagram_messaging", "whatsapp", "webhooks", ...
    name: str  # "Twilio SMS"
    vendor_key: str  # "twilio", "meta", ""


@dataclass(frozen=True)
class ClientContext:
    included: tuple[IntegrationInfo, ...]  # integrations in the client's active service package
    catalog: tuple[IntegrationInfo, ...]  # every integration the agency knows (superset)
    out_of_scope_keys: tuple[str, ...]  # the policy's clause 02 keys, in its order
    adjustment_estimate_minutes: int | None = None  # if the client or an agent gave one
    minor_request_limit_minutes: int = 30
    # Optional, only for wording: "not in the Starter package" reads better than "your package".
    package_name: str = ""


@dataclass(frozen=True)
class Classification:
    request_class: str  # "outage" | "general" | "adjustment" | "out_of_scope" | "not_covered"
    scope_category: str  # "" unless out_of_scope (one of the out_of_scope keys)
    clause: str  # the policy clause behind the class (CLASS_CLAUSE)
    reasons: tuple[str, ...]  # client-readable, quoting the words behind each signal
    signals: tuple[str, ...]  # machine keys of every signal seen, e.g. ("outage", "integration:sms")


# --- integration matching -------------------------------------------------------------------


@dataclass(frozen=True)
class _IntegrationMatcher:
    regex: re.Pattern[str]
    keys: tuple[str, ...]  # group i<n> of ``regex`` names keys[n]
    names: dict[str, str]


@lru_cache(maxsize=32)
def _integration_matcher(known: tuple[tuple[str, str], ...]) -> _IntegrationMatcher:
    """One alternation over every integration, a named group each (compiled once per catalog).

    ``known`` is (key, name) for the standard integrations and every catalog entry; a client can
    name a standard integration the agency's catalog lacks, and that is still not in its package.
    """
    keys: list[str] = []
    names: dict[str, str] = {}
    branches: list[str] = []
    for key, name in known:
        if key in names:
            continue
        names[key] = name
        fragments = INTEGRATION_ALIASES.get(key, ()) + name_aliases(
            key, name, known=key in INTEGRATION_ALIASES
        )
        ordered = sorted(set(fragments), key=len, reverse=True)
        branches.append(f"(?P<i{len(keys)}>" + "|".join(ordered) + ")")
        keys.append(key)
    regex = re.compile(r"\b(?:" + "|".join(branches) + r")\b")
    return _IntegrationMatcher(regex=regex, keys=tuple(keys), names=names)


def _matcher_for(context: ClientContext | None) -> _IntegrationMatcher:
    known = list(DEFAULT_NAMES.items())
    if context is not None:
        # The client's own names win over the defaults ("WhatsApp messaging").
        known = [(i.key, i.name or DEFAULT_NAMES.get(i.key, i.key)) for i in context.included]
        known += [(i.key, i.name or DEFAULT_NAMES.get(i.key, i.key)) for i in context.catalog]
        known += list(DEFAULT_NAMES.items())
    return _integration_matcher(tuple(known))


def _integration_mentions(matcher: _IntegrationMatcher, text: str) -> dict[str, list[str]]:
    """Integration key -> the words that named it, in order of first mention."""
    found: dict[str, list[str]] = {}
    for match in matcher.regex.finditer(text):
        group = match.lastgroup
        if group is None:  # pragma: no cover - every branch is a named group
            continue
        key = matcher.keys[int(group[1:])]
        _add_quote(found.setdefault(key, []), match.group())
    return found


# --- phrase signals -------------------------------------------------------------------------


def _add_quote(quotes: list[str], phrase: str) -> None:
    if phrase not in quotes:
        quotes.append(phrase)


def _phrases(category: SignalCategory, text: str) -> list[str]:
    """The phrases of ``category`` in ``text`` that no nearby negation cancels."""
    quotes: list[str] = []
    for match in category.regex.finditer(text):
        start = match.start()
        if NEGATED_TAIL.search(text, max(0, start - NEGATION_WINDOW), start):
            continue
        _add_quote(quotes, match.group())
    return quotes


def _quoted(phrases: Iterable[str]) -> str:
    shown = [p if len(p) <= MAX_QUOTE_CHARS else p[: MAX_QUOTE_CHARS - 1] + "…" for p in phrases]
    more = len(shown) - MAX_QUOTES
    text = ", ".join(f'"{p}"' for p in shown[:MAX_QUOTES])
    return f"{text} and {more} more" if more > 0 else text


# --- the classifier -------------------------------------------------------------------------


@dataclass
class _Finding:
    """One signal seen: what it would decide, and how to explain it."""

    request_class: str
    signal: str
    reason: str
    scope_category: str = ""


def _integration_findings(
    mentions: dict[str, list[str]], matcher: _IntegrationMatcher, context: ClientContext | None
) -> list[_Finding]:
    if context is None:
        return [
            _Finding(
                "general",
                f"integration:{key}",
                f"names {matcher.names[key]} ({_quoted(words)}); the sender is not a known "
                "client, so package coverage was not checked",
            )
            for key, words in mentions.items()
        ]
    package = f"the {context.package_name} package" if context.package_name else "your package"
    included = {i.key for i in context.included}
    names_included = any(key in included for key in mentions)
    findings = []
    for key, words in mentions.items():
        name, quoted = matcher.names[key], _quoted(words)
        if key in included:
            findings.append(
                _Finding("general", f"integration:{key}", f"names {name} ({quoted}), in {package}")
            )
        elif names_included:
            findings.append(
                _Finding(
                    "general",
                    f"integration:{key}",
                    f"names {name} ({quoted}), which is not in {package}; the request is "
                    "handled for the integrations that are",
                )
            )
        else:
            findings.append(
                _Finding(
                    "not_covered",
                    f"integration:{key}",
                    f"names {name} ({quoted}), which is not in {package}: support covers only "
                    "the integrations in your active service package",
                )
            )
    return findings


def _estimate_finding(context: ClientContext | None, *, scope_keys: tuple[str, ...]) -> _Finding:
    """What an adjustment estimate says, or a blank finding when none was given."""
    if context is None or context.adjustment_estimate_minutes is None:
        return _Finding("", "", "")
    minutes, limit = context.adjustment_estimate_minutes, context.minor_request_limit_minutes
    if minutes <= limit:
        return _Finding(
            "adjustment",
            "estimate_within_limit",
            f"estimated at {minutes} minutes, within the {limit}-minute limit for a minor "
            "adjustment",
        )
    over = f"estimated at {minutes} minutes, over the {limit}-minute limit for a minor adjustment"
    if "significant_change" not in scope_keys:
        # The policy in force has no such category: say so, and leave the class alone.
        return _Finding("adjustment", "estimate_over_limit", over)
    return _Finding(
        "out_of_scope",
        "estimate_over_limit",
        f"{over}, so it is a significant workflow change, quoted separately",
        scope_category="significant_change",
    )


def _decide(
    findings: list[_Finding], estimate: _Finding
) -> tuple[str, str, list[_Finding]]:
    """Class, scope category and the deciding findings, by precedence.

    An estimate over the limit outranks adjustment and general but not an outage or a
    text-signalled out-of-scope category (which is the more specific verdict).
    """
    by_class: dict[str, list[_Finding]] = {}
    for finding in findings:
        by_class.setdefault(finding.request_class, []).append(finding)
    for cls in ("not_covered", "out_of_scope", "outage"):
        if cls in by_class:
            deciding = by_class[cls]
            return cls, deciding[0].scope_category, deciding
    if estimate.request_class == "out_of_scope":
        return "out_of_scope", estimate.scope_category, [estimate]
    if "adjustment" in by_class:
        return "adjustment", "", by_class["adjustment"]
    return "general", "", []


def classify_request(*, subject: str, text: str, context: ClientContext | None) -> Classification:
    """Classify one new request (see the module docstring for the rules).

    1. Normalise subject and text (subject first, cut off from the text by a full stop so a
       negation at its end does not reach into the text).
    2. Collect findings: integrations, clause 02 categories in policy order, outage, urgency,
       adjustment, and the estimate.
    3. Decide by precedence; write the deciding reasons first, then every other signal.
    """
    subject_part, text_part = normalise(subject[:MAX_CHARS]), normalise(text[:MAX_CHARS])
    haystack = f"{subject_part} . {text_part}"

    matcher = _matcher_for(context)
    findings = _integration_findings(_integration_mentions(matcher, haystack), matcher, context)

    scope_keys = ALL_SCOPE_KEYS if context is None else tuple(context.out_of_scope_keys)
    for key in scope_keys:
        category = SCOPE_CATEGORIES.get(key)
        if category is None:  # a policy category with no phrases yet: left to the agent
            continue
        if words := _phrases(category, haystack):
            findings.append(
                _Finding(
                    "out_of_scope",
                    category.signal,
                    f"mentions {_quoted(words)} ({category.label}, quoted separately)",
                    scope_category=key,
                )
            )
    for category, cls in ((OUTAGE, "outage"), (URGENCY, "outage"), (ADJUSTMENT, "adjustment")):
        if words := _phrases(category, haystack):
            findings.append(
                _Finding(cls, category.signal, f"mentions {_quoted(words)} ({category.label})")
            )
    estimate = _estimate_finding(context, scope_keys=scope_keys)
    if estimate.signal:
        findings.append(estimate)

    request_class, scope_category, deciding = _decide(findings, estimate)
    if deciding:
        reasons = [f.reason for f in deciding]
    else:
        reasons = ["no outage, adjustment or out-of-scope signal found: a general inquiry"]
    # Integration mentions inside the package are context, not a competing verdict.
    reasons += [
        f.reason if f.request_class == "general" else f"also {f.reason}"
        for f in findings
        if f not in deciding
    ]
    signals = tuple(dict.fromkeys(f.signal for f in findings))
    return Classification(
        request_class=request_class,
        scope_category=scope_category,
        clause=CLASS_CLAUSE[request_class],
        reasons=tuple(reasons),
        signals=signals,
    )
