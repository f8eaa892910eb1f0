"""Recognising bounces (non-delivery reports) and finding which of our messages bounced.

Two shapes arrive: standard DSNs (RFC 3464: multipart/report with a message/delivery-status
part and the original message or its headers attached) and older free-text reports from
MAILER-DAEMON/postmaster that paste the original headers into the body. Either way, the
Message-ID of the original is what ties the bounce to the ticket whose mail failed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message

from operant.mail.headers import fix_surrogates, msg_ids
from operant.mail.loops import Headers

_MAX_DEPTH = 20
_DAEMONS = {"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"}
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered mail|delivery status notification \((?:failure|delay)\)"
    r"|mail delivery fail|delivery fail|failure notice|returned mail|returned to sender"
    r"|could not be delivered|non remis|unzustellbar|nicht zustellbar|no entregado"
    r"|mail system error|delivery has failed",
    re.IGNORECASE,
)
_HEADERS_PARTS = {
    "message/rfc822",
    "message/global",
    "text/rfc822-headers",
    "message/rfc822-headers",
    "message/global-headers",
}
_FIELD = re.compile(r"^([A-Za-z-]+)[ \t]*:[ \t]*(.*(?:\r?\n[ \t].*)*)", re.MULTILINE)
_MESSAGE_ID_LINE = re.compile(
    r"^Message-ID[ \t]*:[ \t]*(.*(?:\r?\n[ \t].*)*)", re.IGNORECASE | re.MULTILINE
)
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# The blank line between the per-message and per-recipient field groups of a DSN.
_BLANK_LINE = re.compile(r"\r?\n[ \t]*\r?\n")
# Actions that report success or a delay: such a DSN is news, not a failure.
_NOT_FAILED = {"delayed", "delivered", "relayed", "expanded"}


@dataclass(frozen=True)
class BounceInfo:
    bounce: bool = False
    delay_only: bool = False
    original_message_id: str | None = None
    failed_recipients: list[str] = field(default_factory=list)


def _parts(message: Message, depth: int = 0) -> Iterator[tuple[Message, str]]:
    """Every part of the message with its content type, without entering attached messages
    (the original mail's own parts are not part of the report).

    The type is read once per part, before the part is handed out: reading it can only fail
    where the caller's own read would have failed first.
    """
    ctype = message.get_content_type()
    yield message, ctype
    if depth >= _MAX_DEPTH or ctype.split("/")[0] != "multipart":
        return
    payload = message.get_payload()
    if isinstance(payload, list):
        for child in payload:
            if isinstance(child, Message):
                yield from _parts(child, depth + 1)


def _part_text(part: Message) -> str:
    """The textual body of a part, whatever its type; message/* payloads are re-serialised."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return "\n\n".join(
            "\n".join(f"{name}: {value}" for name, value in child.raw_items())
            for child in payload
            if isinstance(child, Message)
        )
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return str(payload or "")
    return data.decode("utf-8", "replace")


def _original_id(part: Message) -> str | None:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        for name, value in payload[0].raw_items():
            if name.lower() == "message-id":
                ids = msg_ids(fix_surrogates(str(value), what="bounce", problems=[]))
                return ids[0] if ids else None
        return None
    return id_in_text(_part_text(part))


def id_in_text(text: str) -> str | None:
    """The first "Message-ID:" header line pasted into a text (free-text bounces)."""
    match = _MESSAGE_ID_LINE.search(text)
    if match is None:
        return None
    ids = msg_ids(match.group(1))
    return ids[0] if ids else None


def _status_fields(text: str) -> tuple[list[str], list[str]]:
    """(actions, failed recipient addresses) from a message/delivery-status body."""
    actions: list[str] = []
    failed: list[str] = []
    for block in _BLANK_LINE.split(text):
        fields = {m.group(1).lower(): m.group(2).strip() for m in _FIELD.finditer(block)}
        action = fields.get("action", "").split()[0].lower() if fields.get("action") else ""
        if action:
            actions.append(action)
        recipient = fields.get("final-recipient") or fields.get("original-recipient") or ""
        # A report body is not a header: nothing has cleaned it, and NUL cannot be stored.
        recipient = _CONTROL_CHARS.sub("", recipient)
        address = recipient.partition(";")[2].strip() or recipient.strip()
        if action and action not in _NOT_FAILED and address:
            failed.append(address.strip("<>"))
    return actions, failed


def _is_daemon(address: str) -> bool:
    return address.partition("@")[0].lower() in _DAEMONS


def bounce_info(
    message: Message, *, headers: Headers, from_address: str, subject: str, text: str
) -> BounceInfo:
    """Whether ``message`` reports a delivery failure, and for which message and recipients.

    1. A DSN: multipart/report; report-type=delivery-status, or any message/delivery-status
       part. If every reported action is a success or a delay, it is no bounce (delay_only).
    2. A free-text report: From MAILER-DAEMON/postmaster with a bounce-like subject.
    3. The original Message-ID comes from the attached message or headers part, else from a
       "Message-ID:" line pasted into the body.
    """
    is_dsn = False
    actions: list[str] = []
    failed: list[str] = []
    original: str | None = None
    for part, ctype in _parts(message):
        if ctype == "multipart/report":
            is_dsn = is_dsn or str(part.get_param("report-type", "")).lower() == "delivery-status"
        elif ctype == "message/delivery-status":
            is_dsn = True
            found_actions, found_failed = _status_fields(_part_text(part))
            actions += found_actions
            failed += found_failed
        elif ctype in _HEADERS_PARTS and original is None:
            original = _original_id(part)
    daemon = _is_daemon(from_address) and bool(_BOUNCE_SUBJECT.search(subject))
    if not (is_dsn or daemon):
        return BounceInfo()
    for value in headers.get("x-failed-recipients", ()):
        failed += [a.strip() for a in value.split(",") if a.strip()]
    if original is None:
        original = id_in_text(text)
    delay_only = bool(actions) and all(a in _NOT_FAILED for a in actions)
    return BounceInfo(
        bounce=not delay_only,
        delay_only=delay_only,
        original_message_id=original,
        failed_recipients=list(dict.fromkeys(failed)),
    )
