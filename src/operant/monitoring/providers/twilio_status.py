"""Twilio message status callbacks: each one a signal, final outcomes counted, the failure
rate decided as they arrive.

1. The workflow: ``?workflow=<code>`` in the callback URL when Twilio was given one (it is
   covered by the signature); else the number the message was sent from, then the messaging
   service, then the account itself (identifiers of kind phone, sid, sid).
2. Replays apply once: the signal's provider key is "<MessageSid>:<MessageStatus>", unique,
   and a repeated key rolls the whole callback back (nothing is counted twice).
3. Final outcomes are counted per minute: delivered; failed and undelivered as failures,
   except opted out (see ``twilio_errors``). "read" after "delivered" is not counted again.
4. The rest is ``apply.signal_apply_once``: the rate decided when it can change, the facts
   through ``workflow_apply``, the state ``health.assess``'s.

Few queries, no scans: the account, the identifier lookup, then in one transaction the
workflow's row (locked), the signal, the minute's counter, the window's sum (at most
window/60 rows by the unique key), the row's update.
"""

from __future__ import annotations

import enum
import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from operant.core.rows import instance_get
from operant.monitoring.models import (
    IdentifierKind,
    Signal,
    SignalKind,
    SignalSource,
    Workflow,
)
from operant.monitoring.providers.apply import Applied, Counted, signal_apply_once
from operant.monitoring.providers.matching import workflow_id_by_identifiers
from operant.monitoring.providers.signing import TwilioSigner
from operant.monitoring.providers.twilio_errors import error_group

MESSAGE_SID = re.compile(r"^(SM|MM)[0-9a-f]{32}$")
STATUS = re.compile(r"^[a-z_]{1,24}$")
DELIVERED = "delivered"
FAILURES = frozenset({"failed", "undelivered"})


class Outcome(enum.Enum):
    RECORDED = "recorded"
    REPLAY = "replay"  # seen before: applied once
    NO_WORKFLOW = "no workflow"  # signed, but no workflow of this account is known by it
    UNKNOWN_CODE = "unknown workflow code"
    OTHER_CLIENT = "a workflow of another client"


@dataclass(frozen=True)
class StatusCallback:
    message_sid: str
    status: str
    sender: str = ""
    recipient: str = ""
    error_code: str = ""
    messaging_service_sid: str = ""
    workflow_code: uuid.UUID | None = None
    remote_addr: str = ""

    @property
    def provider_key(self) -> str:
        return f"{self.message_sid}:{self.status}"


def status_callback_problem(callback: StatusCallback) -> str:
    """What is wrong with a callback's fields ("" when nothing)."""
    if not MESSAGE_SID.match(callback.message_sid):
        return "MessageSid must be a message sid (SM or MM and 32 hex digits)"
    if not STATUS.match(callback.status):
        return "MessageStatus must be a Twilio message status such as delivered or failed"
    return ""


def _workflow_id(signer: TwilioSigner, callback: StatusCallback) -> int | Outcome:
    if callback.workflow_code is not None:
        found = instance_get(Workflow, ("client",), by="code", value=callback.workflow_code)
        if found is None:
            return Outcome.UNKNOWN_CODE
        if signer.client_id is not None and found.client_id != signer.client_id:
            return Outcome.OTHER_CLIENT
        return found.pk
    found_id = workflow_id_by_identifiers(
        client_id=signer.client_id,
        preferred=[
            (IdentifierKind.PHONE, callback.sender),
            (IdentifierKind.SID, callback.messaging_service_sid),
            (IdentifierKind.SID, signer.account_sid),
        ],
    )
    return Outcome.NO_WORKFLOW if found_id is None else found_id


def _kind(callback: StatusCallback) -> str:
    if callback.status == DELIVERED:
        return SignalKind.SUCCESS
    if callback.status in FAILURES:
        return SignalKind.FAIL
    return SignalKind.EVENT


def twilio_status_record(
    *, signer: TwilioSigner, callback: StatusCallback, now: datetime
) -> Outcome:
    """Record one signed status callback (see the module's steps)."""
    found = _workflow_id(signer, callback)
    if isinstance(found, Outcome):
        return found
    group = error_group(callback.error_code)
    counted = Counted.NOTHING
    if callback.status == DELIVERED:
        counted = Counted.DELIVERED
    elif callback.status in FAILURES and (group is None or group.counts_as_failure):
        counted = Counted.FAILED
    applied = signal_apply_once(
        workflow_id=found,
        signal=Signal(
            at=now,
            source=SignalSource.TWILIO_STATUS,
            kind=_kind(callback),
            method="POST",
            remote_addr=callback.remote_addr[:64],
            provider_key=callback.provider_key,
            detail={
                "status": callback.status,
                "error_code": callback.error_code or None,
                "error_group": group.key if group else None,
                "from": callback.sender,
                "to": callback.recipient,
            },
        ),
        counted=counted,
        facts={"last_signal_at": now, "last_event_at": now},
        now=now,
    )
    return _OUTCOME_OF[applied]


_OUTCOME_OF = {
    Applied.RECORDED: Outcome.RECORDED,
    Applied.REPLAY: Outcome.REPLAY,
    Applied.GONE: Outcome.NO_WORKFLOW,
}
