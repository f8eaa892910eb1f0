"""Reading a workflow's live Twilio configuration with the official client.

What a workflow names (its identifiers) is what is read: each Studio flow sid (FW…) for its
revision and definition, each phone number for its SMS and voice webhooks. The credentials are
the workflow's client's Twilio accounts (decrypted here, never stored in the clear); a client
with subaccounts has several, and a resource is looked up in each in turn (Twilio answers 404
for another account's flow, and an empty list for another account's number).

Anything that stops the read (no account, a token that cannot be decrypted or that Twilio
refuses, Twilio unreachable or failing) raises ``DriftReadError`` with one clear sentence: the
check records it and tries again later.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client as TwilioClient

from operant.monitoring.credentials import secret_decrypt
from operant.monitoring.errors import MonitoringError
from operant.monitoring.models import IdentifierKind, TwilioAccount, Workflow

FLOW_SID_PREFIX = "FW"
# A read must not hold a worker forever when Twilio hangs: past this, the check fails and is
# retried on the next round.
READ_TIMEOUT_SECONDS = 15.0
# A number is listed by its exact E.164 form; more than this many answers means Twilio read it
# as a partial number, and the exact one is picked from them.
NUMBER_PAGE = 20
UNAUTHORIZED = 401
NOT_FOUND = 404
# The official client logs every request with its headers at INFO: a read of every Twilio
# workflow every quarter hour would bury the worker's log. Its warnings still show.
_twilio_log = logging.getLogger("operant.monitoring.drift.twilio")
_twilio_log.setLevel(logging.WARNING)


class DriftReadError(MonitoringError):
    """The live configuration could not be read (the message says why, for the record)."""


def twilio_http_client() -> HttpClient:
    """The HTTP client the official client sends through. Production: Twilio's own, with a
    timeout (its default has none). Tests replace this function to aim at a local fake."""
    return TwilioHttpClient(timeout=READ_TIMEOUT_SECONDS, logger=_twilio_log)


@dataclass(frozen=True)
class LiveFlow:
    sid: str
    friendly_name: str
    status: str
    revision: int
    definition: dict[str, Any]
    commit_message: str
    date_updated: datetime | None


@dataclass(frozen=True)
class LiveNumber:
    phone_number: str
    sid: str
    sms_url: str
    sms_method: str
    voice_url: str
    voice_method: str
    date_updated: datetime | None

    def webhooks(self) -> dict[str, str]:
        return {
            "sms_url": self.sms_url,
            "sms_method": self.sms_method,
            "voice_url": self.voice_url,
            "voice_method": self.voice_method,
        }


@dataclass(frozen=True)
class LiveConfig:
    """What Twilio says now, for what the workflow names; None: not in any of the accounts."""

    flows: dict[str, LiveFlow | None]
    numbers: dict[str, LiveNumber | None]

    def as_live_config(self) -> dict[str, Any]:
        """In the registry's ``WorkflowVersion.live_config`` shape (found resources only)."""
        return {
            "flows": {
                sid: {"revision": flow.revision, "friendly_name": flow.friendly_name}
                for sid, flow in self.flows.items()
                if flow is not None
            },
            "numbers": {
                phone: {"sid": number.sid, **number.webhooks()}
                for phone, number in self.numbers.items()
                if number is not None
            },
        }

    def logic_text(self) -> str:
        """The flows' definitions as the version's logic text: stable JSON (sorted keys,
        indented), so the version diff shows what changed line by line."""
        parts = []
        for sid, flow in sorted(self.flows.items()):
            if flow is not None:
                definition = json.dumps(flow.definition, indent=2, sort_keys=True)
                parts.append(
                    f'Studio flow "{flow.friendly_name}" ({sid}), revision {flow.revision}:\n'
                    f"{definition}"
                )
        return "\n\n".join(parts)


@dataclass(frozen=True)
class Targets:
    """What a workflow names on Twilio."""

    flows: tuple[str, ...]
    numbers: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.flows or self.numbers)


def drift_targets(workflow: Workflow) -> Targets:
    flows, numbers = [], []
    for kind, value in workflow.identifiers.order_by("kind", "value").values_list("kind", "value"):
        if kind == IdentifierKind.SID and value.startswith(FLOW_SID_PREFIX):
            flows.append(value)
        elif kind == IdentifierKind.PHONE:
            numbers.append(value)
    return Targets(tuple(flows), tuple(numbers))


def _failure(error: Exception, account_sid: str, what: str) -> DriftReadError:
    if isinstance(error, TwilioRestException):
        if error.status == UNAUTHORIZED:
            return DriftReadError(
                f"Twilio refused the credentials of {account_sid} (401, error {error.code}): "
                "the auth token was changed or revoked; enter the current one"
            )
        return DriftReadError(
            f"Twilio answered {error.status} (error {error.code}: {error.msg}) reading {what}"
        )
    return DriftReadError(
        f"Twilio could not be reached reading {what} ({type(error).__name__}); retried later"
    )


class _Accounts:
    """The client's Twilio accounts, each with an official client made when first needed."""

    def __init__(self, workflow: Workflow) -> None:
        self.rows = list(
            TwilioAccount.objects.filter(client_id=workflow.client_id)
            .order_by("pk")
            .values_list("account_sid", "auth_token_encrypted")
        )
        if not self.rows:
            raise DriftReadError(
                f"no Twilio account is stored for {workflow.client.name}: add its account sid "
                "and auth token to read the live configuration"
            )
        self._clients: dict[str, TwilioClient] = {}

    def clients(self) -> list[tuple[str, TwilioClient]]:
        out = []
        for account_sid, encrypted in self.rows:
            if account_sid not in self._clients:
                try:
                    token = secret_decrypt(encrypted)
                except MonitoringError as error:
                    raise DriftReadError(f"Twilio account {account_sid}: {error}") from None
                self._clients[account_sid] = TwilioClient(
                    account_sid, token, http_client=twilio_http_client()
                )
            out.append((account_sid, self._clients[account_sid]))
        return out


def _flow(accounts: _Accounts, sid: str) -> LiveFlow | None:
    for account_sid, client in accounts.clients():
        try:
            flow = client.studio.v2.flows(sid).fetch()
        except TwilioRestException as error:
            if error.status == NOT_FOUND:
                continue
            raise _failure(error, account_sid, f"flow {sid}") from None
        except (TwilioException, requests.RequestException) as error:
            raise _failure(error, account_sid, f"flow {sid}") from None
        return LiveFlow(
            sid=sid,
            friendly_name=flow.friendly_name or "",
            status=str(flow.status or ""),
            revision=int(flow.revision or 0),
            definition=dict(flow.definition or {}),
            commit_message=flow.commit_message or "",
            date_updated=flow.date_updated,
        )
    return None


def _number(accounts: _Accounts, phone: str) -> LiveNumber | None:
    for account_sid, client in accounts.clients():
        try:
            listed = client.incoming_phone_numbers.list(phone_number=phone, limit=NUMBER_PAGE)
        except (TwilioException, requests.RequestException) as error:
            raise _failure(error, account_sid, f"number {phone}") from None
        for number in listed:
            if number.phone_number == phone:
                return LiveNumber(
                    phone_number=phone,
                    sid=number.sid or "",
                    sms_url=number.sms_url or "",
                    sms_method=number.sms_method or "",
                    voice_url=number.voice_url or "",
                    voice_method=number.voice_method or "",
                    date_updated=number.date_updated,
                )
    return None


def live_config_read(*, workflow: Workflow, targets: Targets | None = None) -> LiveConfig:
    """What Twilio says now about what the workflow names (``DriftReadError`` if it cannot)."""
    targets = targets if targets is not None else drift_targets(workflow)
    accounts = _Accounts(workflow)
    return LiveConfig(
        flows={sid: _flow(accounts, sid) for sid in targets.flows},
        numbers={phone: _number(accounts, phone) for phone in targets.numbers},
    )
