"""Evidence a higher app observed about a client's workflows, and which of it a request is about.

Monitoring reads each Twilio workflow's live configuration and records changes nobody made
through Operant (clause 02). A request about such a workflow is classified with that evidence,
not from its words alone: "the reminders stopped working" reads as an outage, but when the
flow was changed outside Operant that morning it is support after an unauthorized
modification. Pure code, like the classifier: the evidence arrives in the ``ClientContext``.

The matching rule (the one place it is written):

1. A request is about a workflow when it names it: the workflow's name as words ("our
   Appointment reminders are down"), one of its phone numbers in any common writing ("+1 (555)
   010-2030", "555.010.2030", a national number with its trunk zero) or one of its resource sids.
2. Failing that, when all the client's evidence is about one workflow and the request reports a
   breakage (the classifier's outage phrases), it is about that workflow: a client with one
   drifted workflow who writes "nothing is going out" means that one.
3. Evidence whose category the policy in force does not list is not used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from operant.desk.classify_signals import normalise

# A written phone number: digits in groups separated by one space or dot (normalised text has
# already turned "+", "(", ")" and "-" into spaces).
_DIGIT_RUN = re.compile(r"(?<![\w.])\d(?:[ .]?\d){6,}(?![\w])")
# E.164 country codes are one to three digits: a number written without its country code
# keeps at least this many of the E.164 digits less three.
_COUNTRY_CODE_MAX = 3


@dataclass(frozen=True)
class WorkflowEvidence:
    """One observation about one of the client's workflows that decides a clause 02 question."""

    workflow: str  # the workflow's name, as the client knows it
    identifiers: tuple[str, ...]  # its phone numbers (E.164) and resource sids (FW…, PN…)
    scope_category: str  # the clause 02 key it supports ("unauthorized_modification")
    reason: str  # client-readable: what was observed, when, and the clause


@dataclass(frozen=True)
class EvidenceMatch:
    evidence: WorkflowEvidence
    how: str  # why the request is taken to be about the workflow


def _names_workflow(name: str, normalised_text: str) -> bool:
    words = normalise(name).strip()
    if not words:
        return False
    return re.search(rf"(?<![\w']){re.escape(words)}(?![\w'])", normalised_text) is not None


def _written_numbers(normalised_text: str) -> set[str]:
    return {re.sub(r"\D", "", run.group()) for run in _DIGIT_RUN.finditer(normalised_text)}


def _number_written(e164: str, written: set[str]) -> bool:
    """``e164`` ("+15550102030") is among the written digit runs: in full, or as its national
    part (a leading trunk zero dropped), which keeps all but the country code."""
    digits = e164.lstrip("+")
    for run in written:
        if digits in run:
            return True
        national = run.lstrip("0")
        if len(national) >= len(digits) - _COUNTRY_CODE_MAX and digits.endswith(national):
            return True
    return False


def _how_named(evidence: WorkflowEvidence, normalised_text: str, written: set[str]) -> str | None:
    if _names_workflow(evidence.workflow, normalised_text):
        return f'the request names "{evidence.workflow}"'
    for identifier in evidence.identifiers:
        if identifier.startswith("+"):
            if _number_written(identifier, written):
                return f"the request names its number {identifier}"
        elif re.search(rf"(?<!\w){re.escape(identifier.lower())}(?!\w)", normalised_text):
            return f"the request names {identifier}"
    return None


def evidence_matches(
    evidence: Iterable[WorkflowEvidence],
    *,
    normalised_text: str,
    scope_keys: tuple[str, ...],
    reports_breakage: bool,
) -> list[EvidenceMatch]:
    """The evidence the request is about (the module docstring's rule), in the policy's order
    of categories."""
    usable = [e for e in evidence if e.scope_category in scope_keys]
    if not usable:
        return []
    written = _written_numbers(normalised_text)
    matches = []
    for item in usable:
        how = _how_named(item, normalised_text, written)
        if how is not None:
            matches.append(EvidenceMatch(item, how))
    if not matches and reports_breakage and len({e.workflow for e in usable}) == 1:
        how = (
            f'"{usable[0].workflow}" is the only workflow with such evidence and the request '
            "reports a breakage"
        )
        matches = [EvidenceMatch(item, how) for item in usable]
    order = {key: index for index, key in enumerate(scope_keys)}
    return sorted(matches, key=lambda m: order[m.evidence.scope_category])
