"""Triage: give every new support request a class under the Support and Maintenance Policy.

Pure code (no Django, no database): the caller passes what it knows of the client in a
``ClientContext`` and records the ``Classification`` with the policy version in force. The
classifier is a first opinion for an agent, who can reclassify; so it explains itself: ``reasons``
quote the words behind every signal seen, and ``signals`` lists their machine keys.

Rules
-----
The subject and the new part of the message are read together (the subject once; a phrase seen
in both is quoted once). Text is normalised first: lower case, straight apostrophes, and runs of
whitespace, hyphens, underscores, slashes, brackets and double quotes collapsed to one space, so
"Stopped-working", "stopped\n working" and "STOPPED WORKING" read alike. Signals are
word-bounded phrases kept as data in ``classify_signals``. A phrase preceded, within two words
of the same clause, by a negation ("not urgent", "nothing is broken", "it's not a new feature",
"non-urgent") does not count; a contrast word or punctuation ends the negation's reach ("not
urgent, but everything is down" is an outage). Integration mentions ignore negation: "we don't
have WhatsApp" still names WhatsApp.

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
   or a general request a significant_change: the policy's limit for a minor request is exceeded
   (when the policy has no significant_change category, it stays an adjustment). It does not
   touch an outage: putting a live automation back is not an adjustment.
   **Evidence (clause 02).** A higher app (monitoring) can pass what it observed about the
   client's workflows (``context.evidence``: "the flow was changed outside Operant on ...").
   When the request is about such a workflow (the rule is ``classify_evidence``'s) and its words
   alone make it an outage or a general inquiry, the evidence decides: out_of_scope in the
   evidence's category, the evidence quoted as the reason. Words that already make it an
   adjustment, another clause 02 category or not_covered keep their class, and the evidence
   follows as an "also" reason: evidence explains a problem, it does not turn a change request
   into something else.
3. **Outage (clause 03).** A live automation is affected ("stopped working", "texts aren't going
   out", "customers can't reach us", "is down"), or the sender says it is urgent ("urgent",
   "asap", "emergency").
4. **Adjustment (clause 01).** A minor change to logic or copy ("change the greeting", "typo",
   "tweak", "update the hours", "change the delay"), or any request with an estimate within the
   limit (someone sized it as a change).
5. **General (clause 01)** otherwise.

Precedence when several fire: not_covered > out_of_scope > outage > adjustment > general; then
evidence about the workflow replaces an outage or general verdict (above). The deciding reasons
come first; every other signal seen follows, marked "also", so an agent sees
that an out-of-scope request also looks like an outage.

Cost: every regex is compiled once at import (the integration phrases once per distinct
catalog). A request is read once into its normalised text and the set of its words; a phrase
runs only when one of its anchor words is in that set, and then only over the stretch of text
where its anchors occur. A typical email runs a handful of regexes over a few hundred characters.
Input past ``MAX_CHARS`` is not read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from operant.desk.classify_evidence import WorkflowEvidence, evidence_matches
from operant.desk.classify_signals import (
    ADJUSTMENT,
    DEFAULT_NAMES,
    INTEGRATION_PHRASES,
    NEGATED_TAIL,
    NEGATION_WINDOW,
    OUTAGE,
    SCOPE_CATEGORIES,
    URGENCY,
    Phrase,
    SignalCategory,
    name_phrases,
    normalise,
    phrase,
    words_of,
)
from operant.policy.classes import CLASS_CLAUSE, RequestClass

__all__ = [
    "CLASS_CLAUSE",
    "Classification",
    "ClientContext",
    "IntegrationInfo",
    "WorkflowEvidence",
    "classify_request",
]

# Every clause 02 key, in the policy's order: what an unknown sender is checked against.
ALL_SCOPE_KEYS: tuple[str, ...] = tuple(SCOPE_CATEGORIES)

# Emails can carry pasted logs or whole documents; the request itself is in the first pages, and
# bounding the input bounds the cost of classifying it.
MAX_CHARS = 64_000
# How far from its anchor word a phrase can reach: the longest fragments span under 90
# characters, and the margin covers long words in their open slots.
PHRASE_REACH = 128
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
    # What monitoring observed about the client's workflows (see "Evidence" above).
    evidence: tuple[WorkflowEvidence, ...] = ()


@dataclass(frozen=True)
class Classification:
    request_class: str  # "outage" | "general" | "adjustment" | "out_of_scope" | "not_covered"
    scope_category: str  # "" unless out_of_scope (one of the out_of_scope keys)
    clause: str  # the policy clause behind the class (CLASS_CLAUSE)
    reasons: tuple[str, ...]  # client-readable, quoting the words behind each signal
    signals: tuple[str, ...]  # machine keys of all signals seen: ("outage", "integration:whatsapp")


# --- scanning ------------------------------------------------------------------------------


class _Text:
    """A request read once: normalised text, its words, and where anchors occur (as asked)."""

    __slots__ = ("_spans", "normalised", "words")

    def __init__(self, normalised: str) -> None:
        self.normalised = normalised
        self.words = words_of(normalised)
        self._spans: dict[str, tuple[int, int]] = {}  # anchor -> first and last " anchor"

    def window(self, anchors: Iterable[str]) -> tuple[int, int, int]:
        """Where a phrase holding one of the (present) anchors can be: ``(low, last, high)``.

        A phrase starts at most ``PHRASE_REACH`` characters before its anchor and not after it,
        so it starts in ``[low, last]`` and ends by ``high``, which is at a space so the regex's
        closing word boundary never sees a word cut in half. One window from the first to the
        last occurrence costs two C-speed lookups per anchor; the text between is scanned once.
        """
        text = self.normalised
        first, last = len(text), 0
        for anchor in anchors:
            span = self._spans.get(anchor)
            if span is None:
                needle = " " + anchor
                span = self._spans[anchor] = (text.find(needle), text.rfind(needle))
            if span[0] >= 0:  # else the word only follows other punctuation ("done.urgent")
                first, last = min(first, span[0]), max(last, span[1])
        high = text.find(" ", last + PHRASE_REACH)
        return max(0, first - PHRASE_REACH), last, len(text) if high < 0 else high


def _scan(phrases: Iterable[Phrase], text: _Text, *, negatable: bool) -> list[tuple[int, str]]:
    """(position, words) of every phrase found, in text order, skipping negated ones.

    1. Skip phrases none of whose anchors is a word of the text (most of them, most of the time).
    2. Run the rest only over the stretch their anchors occur in: a regex scan costs per
       character scanned, an anchor lookup almost nothing.
    3. A match inside one already kept (``sms`` inside ``twilio sms``) is dropped, so each
       stretch of text is quoted once.
    """
    hits: set[tuple[int, int, str]] = set()
    for item in phrases:
        present = item.anchors & text.words
        if not present:
            continue
        at, last, high = text.window(present)
        while (match := item.regex.search(text.normalised, at, high)) and match.start() <= last:
            at = match.end()
            space = match.start()  # the pattern's leading space; the phrase starts after it
            if negatable and NEGATED_TAIL.search(
                text.normalised, max(0, space - NEGATION_WINDOW), space + 1
            ):
                continue
            hits.add((space + 1, match.end(), match.group()[1:]))
    kept: list[tuple[int, str]] = []
    reach = -1
    for start, end, words in sorted(hits, key=lambda hit: (hit[0], -hit[1])):
        if start >= reach:
            kept.append((start, words))
            reach = end
    return kept


def _phrases(category: SignalCategory, text: _Text) -> list[str]:
    """The distinct phrases of ``category`` in ``text`` that no nearby negation cancels."""
    if category.anchors.isdisjoint(text.words):
        return []
    found = list(dict.fromkeys(words for _, words in _scan(category.phrases, text, negatable=True)))
    # "porting" in the subject says nothing "porting our number" in the text does not.
    return [
        words for words in found if not any(words != other and words in other for other in found)
    ]


def _quoted(phrases: Iterable[str]) -> str:
    shown = [p if len(p) <= MAX_QUOTE_CHARS else p[: MAX_QUOTE_CHARS - 1] + "…" for p in phrases]
    more = len(shown) - MAX_QUOTES
    text = ", ".join(f'"{p}"' for p in shown[:MAX_QUOTES])
    return f"{text} and {more} more" if more > 0 else text


@dataclass(frozen=True)
class _IntegrationPhrases:
    by_key: tuple[tuple[str, tuple[Phrase, ...]], ...]  # the phrases naming each integration
    names: dict[str, str]


@lru_cache(maxsize=32)
def _integration_phrases(known: tuple[tuple[str, str], ...]) -> _IntegrationPhrases:
    """Every phrase naming an integration, built once per distinct catalog.

    ``known`` is (key, name) for every catalog entry and then the standard integrations: a client
    can name a standard integration the agency's catalog lacks, and that is still not in its
    package. The first name given for a key wins.
    """
    names: dict[str, str] = {}
    by_key: list[tuple[str, tuple[Phrase, ...]]] = []
    for key, name in known:
        if key in names:
            continue
        names[key] = name
        hand_written = INTEGRATION_PHRASES.get(key)
        phrases = tuple(phrase(anchors, fragment) for anchors, fragment in hand_written or ())
        phrases += name_phrases(key, name, known=hand_written is not None)
        by_key.append((key, phrases))
    return _IntegrationPhrases(by_key=tuple(by_key), names=names)


def _integrations_for(context: ClientContext | None) -> _IntegrationPhrases:
    known: list[tuple[str, str]] = []
    if context is not None:
        # The agency's own names win over the defaults ("WhatsApp messaging").
        known += [(i.key, i.name or DEFAULT_NAMES.get(i.key, i.key)) for i in context.included]
        known += [(i.key, i.name or DEFAULT_NAMES.get(i.key, i.key)) for i in context.catalog]
    known += DEFAULT_NAMES.items()
    return _integration_phrases(tuple(known))


def _integration_mentions(integrations: _IntegrationPhrases, text: _Text) -> dict[str, list[str]]:
    """Integration key -> the words that named it, keys in order of first mention.

    Negation is not applied: "we don't use WhatsApp" still names WhatsApp, and an agent reading
    the reason sees why.
    """
    first_seen: list[tuple[int, str, list[str]]] = []
    for key, phrases in integrations.by_key:
        if hits := _scan(phrases, text, negatable=False):
            first_seen.append((hits[0][0], key, list(dict.fromkeys(w for _, w in hits))))
    return {key: words for _, key, words in sorted(first_seen)}


# --- the classifier -------------------------------------------------------------------------


@dataclass
class _Finding:
    """One signal seen: what it would decide, and how to explain it."""

    request_class: str
    signal: str
    reason: str
    scope_category: str = ""


def _integration_findings(
    mentions: dict[str, list[str]], names: dict[str, str], context: ClientContext | None
) -> list[_Finding]:
    if context is None:
        return [
            _Finding(
                RequestClass.GENERAL,
                f"integration:{key}",
                f"names {names[key]} ({_quoted(words)}); the sender is not a known "
                "client, so package coverage was not checked",
            )
            for key, words in mentions.items()
        ]
    package = f"the {context.package_name} package" if context.package_name else "your package"
    included = {i.key for i in context.included}
    names_included = any(key in included for key in mentions)
    findings = []
    for key, words in mentions.items():
        name, quoted = names[key], _quoted(words)
        if key in included:
            findings.append(
                _Finding(
                    RequestClass.GENERAL,
                    f"integration:{key}",
                    f"names {name} ({quoted}), in {package}",
                )
            )
        elif names_included:
            findings.append(
                _Finding(
                    RequestClass.GENERAL,
                    f"integration:{key}",
                    f"names {name} ({quoted}), which is not in {package} (the request "
                    "also names integrations that are, so it is handled for those)",
                )
            )
        else:
            findings.append(
                _Finding(
                    RequestClass.NOT_COVERED,
                    f"integration:{key}",
                    f"names {name} ({quoted}), which is not in {package}: support covers only "
                    "the integrations in your active service package",
                )
            )
    return findings


def _estimate_finding(
    context: ClientContext | None, *, scope_keys: tuple[str, ...]
) -> _Finding | None:
    """What an adjustment estimate says, if one was given."""
    if context is None or context.adjustment_estimate_minutes is None:
        return None
    minutes, limit = context.adjustment_estimate_minutes, context.minor_request_limit_minutes
    if minutes <= limit:
        return _Finding(
            RequestClass.ADJUSTMENT,
            "estimate_within_limit",
            f"estimated at {minutes} minutes, within the {limit}-minute limit for a minor "
            "adjustment",
        )
    over = f"estimated at {minutes} minutes, over the {limit}-minute limit for a minor adjustment"
    if "significant_change" not in scope_keys:
        # The policy in force has no such category: say so, and leave the class alone.
        return _Finding(RequestClass.ADJUSTMENT, "estimate_over_limit", over)
    return _Finding(
        RequestClass.OUT_OF_SCOPE,
        "estimate_over_limit",
        f"{over}, so it is a significant workflow change, quoted separately",
        scope_category="significant_change",
    )


def _decide(findings: list[_Finding], estimate: _Finding | None) -> tuple[str, str, list[_Finding]]:
    """Class, scope category and the deciding findings, by precedence.

    An estimate over the limit outranks adjustment and general but neither an outage (putting a
    live automation back is not an adjustment) nor a category the words signalled (the more
    specific verdict).
    """
    by_class: dict[str, list[_Finding]] = {}
    for finding in findings:
        if finding is not estimate:  # weighed below, after the outage
            by_class.setdefault(finding.request_class, []).append(finding)
    for cls in (RequestClass.NOT_COVERED, RequestClass.OUT_OF_SCOPE, RequestClass.OUTAGE):
        if cls in by_class:
            # Out of scope: the first category in policy order decides; others are "also".
            category = by_class[cls][0].scope_category
            deciding = [f for f in by_class[cls] if f.scope_category == category]
            return cls, category, deciding
    if estimate is not None and estimate.request_class == RequestClass.OUT_OF_SCOPE:
        return RequestClass.OUT_OF_SCOPE, estimate.scope_category, [estimate]
    # An estimate within the limit is someone sizing a change: an adjustment even when the
    # wording did not say so.
    adjustments = by_class.get(RequestClass.ADJUSTMENT, [])
    if estimate is not None and estimate.request_class == RequestClass.ADJUSTMENT:
        adjustments = [*adjustments, estimate]
    if adjustments:
        return RequestClass.ADJUSTMENT, "", adjustments
    return RequestClass.GENERAL, "", []


def _evidence_findings(
    context: ClientContext | None, text: _Text, *, scope_keys: tuple[str, ...], breakage: bool
) -> list[_Finding]:
    """The context's evidence the request is about, as out_of_scope findings (policy order)."""
    if context is None or not context.evidence:
        return []
    return [
        _Finding(
            RequestClass.OUT_OF_SCOPE,
            f"evidence:{match.evidence.scope_category}",
            f"{match.evidence.reason} (monitoring evidence about {match.evidence.workflow}: "
            f"{match.how})",
            scope_category=match.evidence.scope_category,
        )
        for match in evidence_matches(
            context.evidence,
            normalised_text=text.normalised,
            scope_keys=scope_keys,
            reports_breakage=breakage,
        )
    ]


def classify_request(*, subject: str, text: str, context: ClientContext | None) -> Classification:
    """Classify one new request (see the module docstring for the rules).

    1. Normalise subject and text (subject first, cut off from the text by a full stop so a
       negation at its end does not reach into the text).
    2. Collect findings: integrations, clause 02 categories in policy order, outage, urgency,
       adjustment, and the estimate.
    3. Decide by precedence; let evidence replace an outage or general verdict; write the
       deciding reasons first, then every other signal.
    """
    read = _Text(normalise(f"{subject[:MAX_CHARS]} . {text[:MAX_CHARS]}"))

    integrations = _integrations_for(context)
    mentions = _integration_mentions(integrations, read)
    findings = _integration_findings(mentions, integrations.names, context)

    scope_keys = ALL_SCOPE_KEYS if context is None else tuple(context.out_of_scope_keys)
    for key in scope_keys:
        category = SCOPE_CATEGORIES.get(key)
        if category is None:  # a policy category with no phrases yet: left to the agent
            continue
        if words := _phrases(category, read):
            findings.append(
                _Finding(
                    RequestClass.OUT_OF_SCOPE,
                    category.signal,
                    f"mentions {_quoted(words)} ({category.label}, quoted separately)",
                    scope_category=key,
                )
            )
    signalled = (
        (OUTAGE, RequestClass.OUTAGE),
        (URGENCY, RequestClass.OUTAGE),
        (ADJUSTMENT, RequestClass.ADJUSTMENT),
    )
    breakage = False
    for category, cls in signalled:
        if words := _phrases(category, read):
            breakage = breakage or category is OUTAGE
            findings.append(
                _Finding(cls, category.signal, f"mentions {_quoted(words)} ({category.label})")
            )
    estimate = _estimate_finding(context, scope_keys=scope_keys)
    if estimate is not None:
        findings.append(estimate)

    request_class, scope_category, deciding = _decide(findings, estimate)
    evidence = _evidence_findings(context, read, scope_keys=scope_keys, breakage=breakage)
    findings += evidence
    if evidence and request_class in (RequestClass.OUTAGE, RequestClass.GENERAL):
        request_class, scope_category = RequestClass.OUT_OF_SCOPE, evidence[0].scope_category
        deciding = [f for f in evidence if f.scope_category == scope_category]
    if deciding:
        reasons = [f.reason for f in deciding]
    else:
        reasons = ["no outage, adjustment or out-of-scope signal found: a general inquiry"]
    # Integration mentions that do not decide are context, not a competing verdict.
    decided = {id(f) for f in deciding}
    reasons += [
        f.reason if f.request_class == RequestClass.GENERAL else f"also {f.reason}"
        for f in findings
        if id(f) not in decided
    ]
    signals = tuple(dict.fromkeys(f.signal for f in findings))
    return Classification(
        request_class=request_class,
        scope_category=scope_category,
        clause=CLASS_CLAUSE[request_class],
        reasons=tuple(reasons),
        signals=signals,
    )
