"""Studio v2 Flows and IncomingPhoneNumbers on the fake Twilio API (``twilio_api``).

What a workflow's live Twilio configuration is made of: a Studio flow (its revision and
definition) and the webhooks of its phone numbers. Tests set them up with ``add_flow`` and
``add_number`` and change them "outside Operant" the way a client would, through Twilio's own
update endpoints (the official client's ``flows(sid).update`` and
``incoming_phone_numbers(sid).update`` work against this fake), or with ``change_flow`` and
``change_number`` directly::

    with FakeTwilioApi(accounts={SID: TOKEN}) as api:
        config = TwilioConfig.install(api)
        flow = config.add_flow(SID, "Reminders", {"states": [...]})
        client.studio.v2.flows(flow["sid"]).fetch().revision  # 1

Answers follow Twilio's documented JSON: Studio's with ISO 8601 dates, the 2010-04-01 API's
with RFC 2822 dates and list pages keyed ``incoming_phone_numbers``.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import format_datetime
from typing import Any

from tests.fakes.loopback import RecordedRequest, Reply
from tests.fakes.twilio_api import ACCOUNT, API, FakeTwilioApi, twilio_error

STUDIO = "studio.twilio.com"
FLOW_PATH = r"/v2/Flows/(?P<sid>FW[0-9a-f]{32})"
NUMBERS_PATH = ACCOUNT + r"/IncomingPhoneNumbers\.json"
NUMBER_PATH = ACCOUNT + r"/IncomingPhoneNumbers/(?P<sid>PN[0-9a-f]{32})\.json"
FLOW_STATUSES = ("draft", "published")
# The form fields of a number update (Twilio's CamelCase) and the resource fields they set.
NUMBER_FIELDS = {
    "FriendlyName": "friendly_name",
    "SmsUrl": "sms_url",
    "SmsMethod": "sms_method",
    "SmsFallbackUrl": "sms_fallback_url",
    "SmsFallbackMethod": "sms_fallback_method",
    "VoiceUrl": "voice_url",
    "VoiceMethod": "voice_method",
    "VoiceFallbackUrl": "voice_fallback_url",
    "VoiceFallbackMethod": "voice_fallback_method",
    "StatusCallback": "status_callback",
    "StatusCallbackMethod": "status_callback_method",
}


def _not_found(request: RecordedRequest) -> Reply:
    return twilio_error(404, 20404, f"The requested resource {request.path} was not found")


def _caller(request: RecordedRequest) -> str:
    """The account sid of the Basic credentials (Studio paths do not name the account)."""
    _, _, encoded = request.headers.get("authorization", "").partition(" ")
    return base64.b64decode(encoded).decode().partition(":")[0] if encoded else ""


@dataclass
class TwilioConfig:
    """The flows and numbers the fake serves, by sid; each a dict in Twilio's JSON."""

    api: FakeTwilioApi
    flows: dict[str, dict[str, Any]] = field(default_factory=dict)
    numbers: dict[str, dict[str, Any]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def install(cls, api: FakeTwilioApi) -> TwilioConfig:
        config = cls(api)
        api.add_route("GET", STUDIO, FLOW_PATH, lambda _, r, m: config._flow_fetch(r, m))
        api.add_route("POST", STUDIO, FLOW_PATH, lambda _, r, m: config._flow_update(r, m))
        api.add_route("GET", API, NUMBERS_PATH, lambda _, r, m: config._numbers_list(r, m))
        api.add_route("GET", API, NUMBER_PATH, lambda _, r, m: config._number_fetch(r, m))
        api.add_route("POST", API, NUMBER_PATH, lambda _, r, m: config._number_update(r, m))
        return config

    # -- Studio flows -----------------------------------------------------------------------

    def _iso_now(self) -> str:
        return self.api.clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def add_flow(
        self,
        account_sid: str,
        friendly_name: str,
        definition: dict[str, Any],
        *,
        revision: int = 1,
        status: str = "published",
    ) -> dict[str, Any]:
        sid = self.api.new_sid("FW")
        url = f"https://{STUDIO}/v2/Flows/{sid}"
        flow = {
            "sid": sid,
            "account_sid": account_sid,
            "author_sid": "US" + "0" * 32,
            "friendly_name": friendly_name,
            "definition": definition,
            "status": status,
            "revision": revision,
            "commit_message": None,
            "valid": True,
            "errors": [],
            "warnings": [],
            "webhook_url": f"https://webhooks.twilio.com/v1/Accounts/{account_sid}/Flows/{sid}",
            "date_created": self._iso_now(),
            "date_updated": None,
            "url": url,
            "links": {
                "revisions": f"{url}/Revisions",
                "test_users": f"{url}/TestUsers",
                "executions": f"{url}/Executions",
            },
        }
        with self._lock:
            self.flows[sid] = flow
        return flow

    def change_flow(
        self,
        sid: str,
        *,
        definition: dict[str, Any] | None = None,
        commit_message: str | None = None,
        status: str | None = None,
    ) -> dict[str, Any]:
        """What Twilio does on a flow update: a new revision, stamped now."""
        with self._lock:
            flow = self.flows[sid]
            if definition is not None:
                flow["definition"] = definition
            flow["status"] = status or flow["status"]
            flow["commit_message"] = commit_message
            flow["revision"] += 1
            flow["date_updated"] = self._iso_now()
            return dict(flow)

    def _flow_of_caller(self, request: RecordedRequest, sid: str) -> dict[str, Any] | None:
        flow = self.flows.get(sid)
        checked = self.api.accounts is not None
        if flow is None or (checked and flow["account_sid"] != _caller(request)):
            return None  # another account's flow is not found, as on Twilio
        return flow

    def _flow_fetch(self, request: RecordedRequest, match: re.Match[str]) -> Reply:
        with self._lock:
            flow = self._flow_of_caller(request, match["sid"])
            if flow is None:
                return _not_found(request)
            return Reply.json(200, flow)

    def _flow_update(self, request: RecordedRequest, match: re.Match[str]) -> Reply:
        status = request.form_value("Status")
        if status not in FLOW_STATUSES:
            return twilio_error(400, 20001, "Missing required parameter Status in the post body")
        raw = request.form_value("Definition")
        try:
            definition = json.loads(raw) if raw is not None else None
        except ValueError:
            return twilio_error(400, 20001, "Invalid Definition: not JSON")
        with self._lock:
            if self._flow_of_caller(request, match["sid"]) is None:
                return _not_found(request)
        flow = self.change_flow(
            match["sid"],
            definition=definition,
            commit_message=request.form_value("CommitMessage"),
            status=status,
        )
        return Reply.json(200, flow)

    # -- incoming phone numbers -------------------------------------------------------------

    def _rfc2822_now(self) -> str:
        return format_datetime(self.api.clock().astimezone(UTC), usegmt=False)

    def add_number(
        self, account_sid: str, phone_number: str, *, sms_url: str = "", voice_url: str = ""
    ) -> dict[str, Any]:
        sid = self.api.new_sid("PN")
        uri = f"/2010-04-01/Accounts/{account_sid}/IncomingPhoneNumbers/{sid}"
        now = self._rfc2822_now()
        number = {
            "account_sid": account_sid,
            "address_requirements": "none",
            "address_sid": None,
            "api_version": "2010-04-01",
            "beta": False,
            "bundle_sid": None,
            "capabilities": {"voice": True, "sms": True, "mms": True, "fax": False},
            "date_created": now,
            "date_updated": now,
            "emergency_address_sid": None,
            "emergency_address_status": "unregistered",
            "emergency_status": "Active",
            "friendly_name": phone_number,
            "identity_sid": None,
            "origin": "twilio",
            "phone_number": phone_number,
            "sid": sid,
            "sms_application_sid": "",
            "sms_fallback_method": "POST",
            "sms_fallback_url": "",
            "sms_method": "POST",
            "sms_url": sms_url,
            "status": "in-use",
            "status_callback": "",
            "status_callback_method": "POST",
            "subresource_uris": {
                "assigned_add_ons": f"{uri}/AssignedAddOns.json",
            },
            "trunk_sid": None,
            "type": "local",
            "uri": f"{uri}.json",
            "voice_application_sid": "",
            "voice_caller_id_lookup": False,
            "voice_fallback_method": "POST",
            "voice_fallback_url": None,
            "voice_method": "POST",
            "voice_receive_mode": "voice",
            "voice_url": voice_url,
        }
        with self._lock:
            self.numbers[sid] = number
        return number

    def number_by_phone(self, phone_number: str) -> dict[str, Any]:
        [number] = [n for n in self.numbers.values() if n["phone_number"] == phone_number]
        return number

    def change_number(self, phone_number: str, **fields: str) -> dict[str, Any]:
        """Set resource fields (``sms_url=...``) as a console edit would."""
        with self._lock:
            number = self.number_by_phone(phone_number)
            number.update(fields)
            number["date_updated"] = self._rfc2822_now()
            return dict(number)

    def _numbers_list(self, request: RecordedRequest, match: re.Match[str]) -> Reply:
        account_sid = match["account_sid"]
        wanted = (request.query.get("PhoneNumber") or [""])[0]
        # Twilio's filter takes partial numbers and '*' for any one digit.
        pattern = re.compile(re.escape(wanted).replace(r"\*", r"\d"))
        page_size = int((request.query.get("PageSize") or ["50"])[0])
        with self._lock:
            found = [
                dict(n)
                for n in self.numbers.values()
                if n["account_sid"] == account_sid and pattern.search(n["phone_number"])
            ][:page_size]
        uri = f"/2010-04-01/Accounts/{account_sid}/IncomingPhoneNumbers.json"
        return Reply.json(
            200,
            {
                "end": max(len(found) - 1, 0),
                "first_page_uri": f"{uri}?PageSize={page_size}&Page=0",
                "incoming_phone_numbers": found,
                "next_page_uri": None,
                "page": 0,
                "page_size": page_size,
                "previous_page_uri": None,
                "start": 0,
                "uri": f"{uri}?PageSize={page_size}&Page=0",
            },
        )

    def _number(self, request: RecordedRequest, match: re.Match[str]) -> dict[str, Any] | None:
        number = self.numbers.get(match["sid"])
        if number is None or number["account_sid"] != match["account_sid"]:
            return None
        return number

    def _number_fetch(self, request: RecordedRequest, match: re.Match[str]) -> Reply:
        with self._lock:
            number = self._number(request, match)
            return Reply.json(200, number) if number else _not_found(request)

    def _number_update(self, request: RecordedRequest, match: re.Match[str]) -> Reply:
        with self._lock:
            number = self._number(request, match)
            if number is None:
                return _not_found(request)
            for form_name, field_name in NUMBER_FIELDS.items():
                value = request.form_value(form_name)
                if value is not None:
                    number[field_name] = value
            number["date_updated"] = self._rfc2822_now()
            return Reply.json(200, number)
