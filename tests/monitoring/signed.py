"""Provider requests as the providers send and sign them, for the webhook tests.

Twilio: form fields posted as application/x-www-form-urlencoded, signed by the official
library's ``RequestValidator.compute_signature`` over the full URL (Twilio's own algorithm).
Meta: a JSON body with X-Hub-Signature-256 = "sha256=" + hex HMAC-SHA256(app secret, body),
built the way Meta's webhook documentation describes (there is no official server library).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import urlencode

from django.test import Client
from twilio.request_validator import RequestValidator

ACCOUNT_SID = "AC" + "a1" * 16
AUTH_TOKEN = "f0e1d2c3b4a5968778695a4b3c2d1e0f"
OTHER_ACCOUNT_SID = "AC" + "b2" * 16
OTHER_AUTH_TOKEN = "0123456789abcdef0123456789abcdef"
SENDER = "+15550001111"
RECIPIENT = "+12025550123"
HOST = "http://testserver"
STATUS_PATH = "/webhooks/twilio/status"
ALERTS_PATH = "/webhooks/twilio/alerts"
META_PATH = "/webhooks/meta"
META_SECRET = "meta-app-secret-0123456789abcdef"
META_VERIFY_TOKEN = "operant-verify-7f3a"
FORM = "application/x-www-form-urlencoded"


def message_sid(n: int) -> str:
    return f"SM{n:032x}"


def status_fields(
    n: int,
    status: str,
    *,
    error_code: str | None = None,
    sender: str = SENDER,
    account_sid: str = ACCOUNT_SID,
) -> dict[str, str]:
    """A message status callback's fields, as Twilio documents and posts them."""
    fields = {
        "AccountSid": account_sid,
        "ApiVersion": "2010-04-01",
        "From": sender,
        "MessageSid": message_sid(n),
        "MessageStatus": status,
        "SmsSid": message_sid(n),
        "SmsStatus": status,
        "To": RECIPIENT,
    }
    if error_code is not None:
        fields["ErrorCode"] = error_code
    return fields


def twilio_signature(url: str, fields: dict[str, str], token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, fields)


def twilio_post(
    client: Client,
    path: str,
    fields: dict[str, str],
    *,
    token: str = AUTH_TOKEN,
    query: str = "",
    signature: str | None = None,
    signed_url: str | None = None,
) -> Any:
    """POST ``fields`` as Twilio does, signed with ``token`` over the URL (unless a
    ``signature`` is given; "" sends none)."""
    url = path + (f"?{query}" if query else "")
    if signature is None:
        signature = twilio_signature(signed_url or HOST + url, fields, token)
    headers = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}
    return client.post(url, data=urlencode(fields), content_type=FORM, **headers)


def send_status(client: Client, n: int, status: str, **kwargs: Any) -> Any:
    """Post a signed status callback; asserts Twilio would see it accepted."""
    response = twilio_post(client, STATUS_PATH, status_fields(n, status, **kwargs))
    assert response.status_code == 200, response.content
    return response


def meta_signature(body: bytes, secret: str = META_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def meta_body(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def meta_post(
    client: Client, payload: dict[str, Any] | bytes, *, signature: str | None = None
) -> Any:
    body = payload if isinstance(payload, bytes) else meta_body(payload)
    signature = meta_signature(body) if signature is None else signature
    headers = {"HTTP_X_HUB_SIGNATURE_256": signature} if signature else {}
    return client.post(META_PATH, data=body, content_type="application/json", **headers)
