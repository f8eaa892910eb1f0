"""Twilio Debugger alerts (the console's error webhook), signed like every Twilio webhook.

Form fields: Sid (the alert, NO…), AccountSid, ParentAccountSid (subaccounts), Timestamp
(ISO 8601), Level (Error or Warning), PayloadType (application/json) and Payload, a JSON
object with error_code, resource_sid, service_sid, more_info and webhook.

1. The workflow: the alert's resource sid, then its service sid, then any other resource sid
   or phone number found in the payload (a webhook's From and To, say), matched against the
   registry's identifiers of the signing account's client.
2. Replays apply once: the provider key is the alert's Sid.
3. An Error counts as a failed message in the same per-minute counters as status callbacks,
   so the one rate rule decides (opted-out errors excepted, as there); a Warning is only
   recorded in the signal log.
4. An alert older than ``MAX_AGE`` is stale: refused, since Twilio does not retry that long
   and a signed old alert can only be a replay (the view answers 403).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from operant.monitoring.models import IdentifierKind, Signal, SignalKind, SignalSource
from operant.monitoring.providers.apply import Applied, Counted, signal_apply_once
from operant.monitoring.providers.matching import workflow_id_by_identifiers
from operant.monitoring.providers.signing import TwilioSigner
from operant.monitoring.providers.twilio_errors import error_group

MAX_AGE = timedelta(hours=24)
ALERT_SID = re.compile(r"^NO[0-9a-f]{32}$")
RESOURCE_SID = re.compile(r"^[A-Z]{2}[0-9a-f]{32}$")
PHONE = re.compile(r"^\+[1-9]\d{6,14}$")
# How much of a payload is searched for sids and numbers (it is Twilio's, but bounded all
# the same): nesting depth and strings looked at.
MAX_DEPTH = 6
MAX_STRINGS = 500


class AlertProblem(ValueError):
    """A signed alert whose fields cannot be read (answered 400)."""


@dataclass(frozen=True)
class Alert:
    sid: str
    level: str  # "error" or "warning" (lower-cased)
    at: datetime
    error_code: str
    resource_sid: str
    service_sid: str
    sids: list[str] = field(default_factory=list)  # other sids found in the payload
    phones: list[str] = field(default_factory=list)
    more_info: dict[str, Any] = field(default_factory=dict)
    remote_addr: str = ""

    @property
    def is_error(self) -> bool:
        return self.level == "error"


def _strings(value: object, depth: int = 0) -> Iterator[str]:
    if depth > MAX_DEPTH:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, depth + 1)


def _text(value: object) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def alert_parse(fields: dict[str, str], *, remote_addr: str = "") -> Alert:
    """The alert in a Debugger webhook's form fields; AlertProblem when they are unreadable."""
    sid = fields.get("Sid", "")
    if not ALERT_SID.match(sid):
        raise AlertProblem("Sid must be a Debugger event sid (NO and 32 hex digits)")
    try:
        at = datetime.fromisoformat(fields.get("Timestamp", "").replace("Z", "+00:00"))
    except ValueError:
        raise AlertProblem("Timestamp must be an ISO 8601 time") from None
    if at.tzinfo is None:
        raise AlertProblem("Timestamp must carry its UTC offset")
    level = fields.get("Level", "").strip().lower()
    if level not in ("error", "warning"):
        raise AlertProblem("Level must be Error or Warning")
    try:
        payload = json.loads(fields.get("Payload", ""))
    except ValueError:
        raise AlertProblem("Payload must be a JSON object") from None
    if not isinstance(payload, dict):
        raise AlertProblem("Payload must be a JSON object")
    found = [s.strip() for s, _ in zip(_strings(payload), range(MAX_STRINGS), strict=False)]
    more_info = payload.get("more_info")
    return Alert(
        sid=sid,
        level=level,
        at=at,
        error_code=_text(payload.get("error_code")).strip(),
        resource_sid=_text(payload.get("resource_sid")),
        service_sid=_text(payload.get("service_sid")),
        sids=list(dict.fromkeys(s for s in found if RESOURCE_SID.match(s))),
        phones=list(dict.fromkeys(s for s in found if PHONE.match(s))),
        more_info=more_info if isinstance(more_info, dict) else {},
        remote_addr=remote_addr,
    )


def alert_is_stale(alert: Alert, now: datetime) -> bool:
    return now - alert.at > MAX_AGE


def _workflow_id(signer: TwilioSigner, alert: Alert) -> int | None:
    preferred = [(IdentifierKind.SID, alert.resource_sid), (IdentifierKind.SID, alert.service_sid)]
    preferred += [(IdentifierKind.SID, sid) for sid in alert.sids]
    preferred += [(IdentifierKind.PHONE, phone) for phone in alert.phones]
    return workflow_id_by_identifiers(client_id=signer.client_id, preferred=preferred)


def twilio_alert_record(*, signer: TwilioSigner, alert: Alert, now: datetime) -> Applied | None:
    """Record one signed, fresh alert; None when no workflow of the account is named in it."""
    workflow_id = _workflow_id(signer, alert)
    if workflow_id is None:
        return None
    group = error_group(alert.error_code)
    failed = alert.is_error and (group is None or group.counts_as_failure)
    message = _text(alert.more_info.get("msg") or alert.more_info.get("Msg"))
    return signal_apply_once(
        workflow_id=workflow_id,
        signal=Signal(
            at=now,
            source=SignalSource.TWILIO_ALERT,
            kind=SignalKind.FAIL if alert.is_error else SignalKind.LOG,
            method="POST",
            remote_addr=alert.remote_addr[:64],
            provider_key=alert.sid,
            body=message[:2000],
            detail={
                "level": alert.level,
                "error_code": alert.error_code or None,
                "error_group": group.key if group else None,
                "resource_sid": alert.resource_sid or None,
                "occurred_at": alert.at.isoformat(),
            },
        ),
        counted=Counted.FAILED if failed else Counted.NOTHING,
        facts={"last_signal_at": now},
        now=now,
    )
