"""What differs between the live configuration and the registry's current version, each
difference with the clause 02 evidence that names it.

Which clause a difference supports:
- a Studio flow changed (a new revision) or gone: someone edited the automation outside
  Operant, "Support required due to unauthorized modifications" (unauthorized_modification);
- a number's SMS or voice webhook pointing elsewhere, or the number gone from the account: a
  change to the client's connected account, "Rebuilding automations following Client-initiated
  changes to connected accounts" (rebuild_after_client_change).

Only what the version recorded is compared (a flow's revision; a number's webhook fields the
version holds). What the workflow names but no version recorded cannot drift: it is listed in
the check's notes, for an agent to accept the live configuration.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from operant.core.timefmt import human_datetime
from operant.monitoring.drift.live import LiveConfig, LiveNumber
from operant.monitoring.models import DriftKind

UNAUTHORIZED = "unauthorized_modification"
CLIENT_CHANGE = "rebuild_after_client_change"
# How evidence names the clause 02 category (the policy's wording, shortened to what a client
# reads in one line).
CLAUSE_WORDS = {
    UNAUTHORIZED: "clause 02: unauthorized modifications",
    CLIENT_CHANGE: "clause 02: client-initiated changes to connected accounts",
}
CHANNELS = (("sms", "SMS"), ("voice", "voice"))


@dataclass(frozen=True)
class Drift:
    kind: str
    subject: str  # "flow FW…", "sms +1…", "voice +1…", "number +1…" (gone)
    expected: dict[str, Any]
    live: dict[str, Any]  # the compared fields as live now; {"missing": True} when gone
    changed_at: datetime | None
    scope_category: str
    evidence: str


@dataclass(frozen=True)
class Comparison:
    drifts: list[Drift]
    notes: list[str]  # what could not be compared, and why


def _when(changed_at: datetime | None, now: datetime, zone: ZoneInfo) -> str:
    if changed_at is None:
        return f"on or before {human_datetime(now, zone)}"
    return f"on {human_datetime(changed_at, zone)}"


def _flow_drift(
    sid: str,
    expected: dict[str, Any],
    live: LiveConfig,
    version: int,
    now: datetime,
    zone: ZoneInfo,
) -> Drift | None:
    flow = live.flows.get(sid)
    recorded = expected.get("revision")
    name = expected.get("friendly_name") or sid
    if flow is None:
        return Drift(
            kind=DriftKind.FLOW_CHANGED,
            subject=f"flow {sid}",
            expected={"revision": recorded},
            live={"missing": True},
            changed_at=None,
            scope_category=UNAUTHORIZED,
            evidence=(
                f'the Studio flow "{name}" ({sid}) recorded in v{version} is no longer in the '
                f"Twilio account: it was deleted or moved outside Operant "
                f"{_when(None, now, zone)}; {CLAUSE_WORDS[UNAUTHORIZED]}"
            ),
        )
    if flow.revision == recorded:
        return None
    message = f' ("{flow.commit_message}")' if flow.commit_message else ""
    return Drift(
        kind=DriftKind.FLOW_CHANGED,
        subject=f"flow {sid}",
        expected={"revision": recorded},
        live={"revision": flow.revision},
        changed_at=flow.date_updated,
        scope_category=UNAUTHORIZED,
        evidence=(
            f'the Studio flow "{flow.friendly_name or name}" ({sid}) was changed outside '
            f"Operant {_when(flow.date_updated, now, zone)}: revision {flow.revision}{message} "
            f"is live, v{version} recorded revision {recorded}; {CLAUSE_WORDS[UNAUTHORIZED]}"
        ),
    )


def _webhook_evidence(
    phone: str, label: str, expected: dict[str, str], number: LiveNumber, fields: list[str]
) -> str:
    url_field = next((f for f in fields if f.endswith("_url")), None)
    if url_field is not None:
        now_at = getattr(number, url_field) or "nowhere (no URL)"
        recorded = expected[url_field] or "no URL"
        return (
            f"the number {phone}'s {label} webhook now points elsewhere: {now_at} "
            f"(recorded: {recorded})"
        )
    method_field = fields[0]
    return (
        f"the number {phone}'s {label} webhook is now called with "
        f"{getattr(number, method_field)} (recorded: {expected[method_field]})"
    )


def _number_drifts(
    phone: str,
    expected: dict[str, str],
    live: LiveConfig,
    version: int,
    now: datetime,
    zone: ZoneInfo,
) -> list[Drift]:
    number = live.numbers.get(phone)
    if number is None:
        return [
            Drift(
                kind=DriftKind.WEBHOOK_CHANGED,
                subject=f"number {phone}",
                expected={k: v for k, v in expected.items() if k != "sid"},
                live={"missing": True},
                changed_at=None,
                scope_category=CLIENT_CHANGE,
                evidence=(
                    f"the number {phone} recorded in v{version} is no longer in the client's "
                    f"Twilio account (released or moved {_when(None, now, zone)}); "
                    f"{CLAUSE_WORDS[CLIENT_CHANGE]}"
                ),
            )
        ]
    drifts = []
    webhooks = number.webhooks()
    for channel, label in CHANNELS:
        recorded = {k: v for k, v in expected.items() if k.startswith(f"{channel}_")}
        changed = [k for k in sorted(recorded) if webhooks.get(k) != recorded[k]]
        if not changed:
            continue
        what = _webhook_evidence(phone, label, recorded, number, changed)
        drifts.append(
            Drift(
                kind=DriftKind.WEBHOOK_CHANGED,
                subject=f"{channel} {phone}",
                expected=recorded,
                live={k: webhooks.get(k) for k in recorded},
                changed_at=number.date_updated,
                scope_category=CLIENT_CHANGE,
                evidence=(
                    f"{what}, changed outside Operant {_when(number.date_updated, now, zone)}; "
                    f"{CLAUSE_WORDS[CLIENT_CHANGE]}"
                ),
            )
        )
    return drifts


def drifts_between(
    *,
    expected: dict[str, Any] | None,
    version: int | None,
    live: LiveConfig,
    now: datetime,
    zone: ZoneInfo,
) -> Comparison:
    """Compare ``live`` with the current version's ``live_config`` (``expected``, version
    number ``version``; both None when the workflow has no version yet)."""
    if version is None or not expected:
        return Comparison(
            [],
            [
                "no version records the live configuration yet: accept the live "
                "configuration to start drift checks"
            ],
        )
    flows, numbers = expected.get("flows") or {}, expected.get("numbers") or {}
    drifts: list[Drift] = []
    notes = []
    for sid in live.flows:
        if sid not in flows:
            notes.append(f"flow {sid} is not in v{version}'s live configuration")
        elif drift := _flow_drift(sid, flows[sid], live, version, now, zone):
            drifts.append(drift)
    for phone in live.numbers:
        if phone not in numbers:
            notes.append(f"number {phone} is not in v{version}'s live configuration")
        else:
            drifts += _number_drifts(phone, numbers[phone], live, version, now, zone)
    return Comparison(drifts, notes)
