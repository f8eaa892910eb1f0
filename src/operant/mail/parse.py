"""The pure parse step of the mail pipeline: raw bytes → ``ParsedMessage`` (architecture 4.6).

No database, no settings, no clock. It never raises on bad mail: whatever cannot be read
properly is recovered as far as possible and described in ``problems``; mail that cannot be
read as mail at all comes back with ``fatal`` set. The caller keeps the raw bytes either way,
so nothing a client sent is lost to a parser bug.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from email.errors import MissingHeaderBodySeparatorDefect
from email.message import Message
from email.parser import BytesParser
from typing import Any, TypeVar

from operant.core.timefmt import iso_or_none
from operant.mail import body as _body
from operant.mail import headers as _headers
from operant.mail.body import Attachment, Body, Walker
from operant.mail.bounces import BounceInfo, bounce_info
from operant.mail.headerblock import repair_header_block
from operant.mail.headers import MIME_POLICY, Address, HeaderReader
from operant.mail.htmlguard import MAX_NESTING, limit_nesting
from operant.mail.htmltext import html_to_text
from operant.mail.identity import content_identity
from operant.mail.loops import auto_reply_reason, has_loop_header, robot_sender_reason, spam_reason
from operant.mail.quoting import find_quote_start, find_signature_start
from operant.mail.sanitize import sanitize_html

__all__ = [
    "DEFAULT_MAX_ATTACHMENT_BYTES",
    "Address",
    "Attachment",
    "ParsedMessage",
    "clear_caches",
    "parse_message",
]

DEFAULT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_PROBLEMS = 50
# Far above any real mail; bounds the time the HTML parsers can take on a hostile one.
MAX_HTML_CHARS = 5_000_000
_SAMPLE_HEADERS = 40
_SAMPLE_VALUE_CHARS = 200
# Headers any real message has at least one of; without them the input is not mail.
_MAIL_HEADERS = frozenset(
    "from to cc bcc subject date message-id received return-path mime-version content-type "
    "sender reply-to delivered-to x-original-to in-reply-to references envelope-to".split()
)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

T = TypeVar("T")


@dataclass(frozen=True)
class ParsedMessage:
    """Everything the later layers need from one inbound message.

    ``quoted_text_start`` and ``signature_start`` index into ``text``. ``bounced_message_id``
    is the Message-ID of *our* message that a bounce reports on. ``headers_sample`` holds the
    first headers (decoded, shortened) for display when a flagged message is inspected.
    """

    message_id: str | None = None
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    from_: Address | None = None
    to: list[Address] = field(default_factory=list)
    cc: list[Address] = field(default_factory=list)
    reply_to: list[Address] = field(default_factory=list)
    subject: str = ""
    date: datetime | None = None
    text: str = ""
    html: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    auto_reply: bool = False
    auto_reply_reason: str | None = None
    # Why no acknowledgement should go out even to a client: a spam filter's verdict, or a
    # sender (or Reply-To) that is a machine's address nobody reads (``operant.mail.loops``).
    spam_reason: str | None = None
    robot_sender: str | None = None
    bounce: bool = False
    bounced_message_id: str | None = None
    bounce_recipients: list[str] = field(default_factory=list)
    loop_header: bool = False
    quoted_text_start: int | None = None
    signature_start: int | None = None
    recipients_count: int = 0
    headers_sample: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    fatal: bool = False
    # The raw bytes' content identity (``operant.mail.identity``), the key that tells a
    # redelivery from another mail. Taken here, with the parse, so that a parse worker
    # (``ParsePool``) does it instead of the process that writes the rows.
    identity: str = ""

    def as_json(self) -> dict[str, Any]:
        """The stable JSON form (``operant mail parse --json``): these keys, no others."""

        def address(a: Address) -> dict[str, str]:
            return {"address": a.address, "name": a.name}

        return {
            "message_id": self.message_id,
            "in_reply_to": self.in_reply_to,
            "references": list(self.references),
            "from": address(self.from_) if self.from_ else None,
            "to": [address(a) for a in self.to],
            "cc": [address(a) for a in self.cc],
            "subject": self.subject,
            "date": iso_or_none(self.date),
            "text": self.text,
            "html": self.html,
            "attachments": [
                {"filename": a.filename, "content_type": a.content_type, "size": a.size}
                for a in self.attachments
            ],
            "auto_reply": self.auto_reply,
            "bounce": self.bounce,
            "problems": list(self.problems),
        }


def clear_caches() -> None:
    """Forget what the parser caches between messages (header reads, parameters, charsets).

    The caches only ever hold pure results of header text, so clearing them changes no
    result; benchmarks clear them to time a cold process.
    """
    _headers.clear_caches()
    _body.clear_caches()


def _tidy(problems: list[str]) -> list[str]:
    """Problems once each, in order, and not so many that a hostile mail floods the log."""
    unique = list(dict.fromkeys(_CONTROL.sub("?", p) for p in problems))
    if len(unique) <= MAX_PROBLEMS:
        return unique
    return [*unique[:MAX_PROBLEMS], f"... and {len(unique) - MAX_PROBLEMS} more problems"]


def _guarded(problems: list[str], stage: str, step: Callable[[], T], default: T) -> T:
    """Run one stage; a bug or an unforeseen kind of breakage costs that stage, not the mail."""
    try:
        return step()
    except RecursionError:
        problems.append(f"{stage}: structure nested too deeply")
    except Exception as exc:  # noqa: BLE001 - the contract is "never raises on bad mail"
        problems.append(f"{stage}: could not be read ({type(exc).__name__})")
    return default


def _fatal(problems: list[str], headers: HeaderReader | None = None) -> ParsedMessage:
    sample = _sample(headers) if headers else []
    return ParsedMessage(problems=_tidy(problems), fatal=True, headers_sample=sample)


def _sample(headers: HeaderReader) -> list[tuple[str, str]]:
    return [(n, v[:_SAMPLE_VALUE_CHARS]) for n, v in headers.items[:_SAMPLE_HEADERS]]


def _bounded_html(html: str, problems: list[str]) -> str:
    """The HTML body cut to a size and depth that the HTML parsers handle in bounded time."""
    if len(html) > MAX_HTML_CHARS:
        problems.append(f"HTML body over {MAX_HTML_CHARS} characters; the rest dropped")
        html = html[:MAX_HTML_CHARS]
    html, limited = limit_nesting(html)
    if limited:
        problems.append(f"HTML nested over {MAX_NESTING} levels deep; inner tags dropped")
    return html


def parse_message(
    raw: bytes, *, max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES
) -> ParsedMessage:
    """Parse one message (``_parse``), with the content identity of its bytes."""
    raw = bytes(raw)
    parsed = _parse(raw, max_attachment_bytes)
    return replace(parsed, identity=content_identity(raw))


def _parse(raw: bytes, max_attachment_bytes: int) -> ParsedMessage:
    """Parse one message.

    1. Empty input, or input without a single mail header, is fatal.
    2. Headers are decoded one by one (see ``HeaderReader``); body, attachments, bounce and
       quote detection follow, each guarded so that one failing stage leaves the others.
    3. The HTML is sanitized; when there is no plain-text part the text is derived from it.
    """
    problems: list[str] = []
    if not raw.strip():
        return _fatal(["empty message"])
    body_start = raw.lstrip(b"\r\n")
    if len(body_start) != len(raw):
        problems.append("blank lines before the headers; ignored")
    message = _parse_mime(body_start, problems)
    if message is not None and _header_block_cut_short(message):
        repaired = _guarded(
            problems, "header repair", lambda: repair_header_block(body_start), None
        )
        if repaired is not None:
            body_start, notes = repaired
            problems.extend(notes)
            message = _parse_mime(body_start, problems)
    if message is None:
        return _fatal(problems)
    headers = _guarded(problems, "headers", lambda: HeaderReader(message, problems), None)
    if headers is None or not _MAIL_HEADERS & headers.values.keys():
        problems.append("no mail headers found: not an email message")
        return _fatal(problems, headers)
    return _read_message(message, headers, problems, max_attachment_bytes)


def _parse_mime(data: bytes, problems: list[str]) -> Message | None:
    """The MIME tree of ``data``; its headers alone if the structure defeats the parser; None
    (with the reason in ``problems``) if not even those can be read."""
    try:
        return BytesParser(policy=MIME_POLICY).parsebytes(data)
    except Exception as exc:  # noqa: BLE001 - e.g. RecursionError on absurd MIME nesting
        # The headers alone may still be readable: enough to thread and flag the message.
        problems.append(f"MIME structure could not be read ({type(exc).__name__})")
    try:
        return BytesParser(policy=MIME_POLICY).parsebytes(data, headersonly=True)
    except Exception as again:  # noqa: BLE001 - not readable as mail at all
        problems.append(f"could not be read as mail ({type(again).__name__})")
    return None


def _header_block_cut_short(message: Message) -> bool:
    """Whether the parser met a line that ended the header block without a blank line: the
    sign of a broken fold or of text above the headers (well-formed mail never has it)."""
    return any(isinstance(d, MissingHeaderBodySeparatorDefect) for d in message.defects)


# Where a sender may be found when From has none, in the order they are trusted.
_SENDER_FALLBACKS = ("Reply-To", "Sender", "Return-Path")


def _sender(headers: HeaderReader, problems: list[str]) -> Address | None:
    """The From mailbox; without one, the first of Reply-To, Sender and Return-Path that has
    one, so that the ticket reaches a person rather than ``unknown@invalid``."""
    senders = _guarded(problems, "From", lambda: headers.addresses("From"), [])
    if senders:
        return senders[0]
    fault = "missing From" if "from" not in headers.values else "invalid From"
    for name in _SENDER_FALLBACKS:
        found = _guarded(problems, name, lambda name=name: headers.addresses(name), [])
        if found:
            problems.append(f"{fault}; sender taken from {name}")
            return found[0]
    problems.append(fault)
    return None


def _read_message(
    message: Message, headers: HeaderReader, problems: list[str], max_attachment_bytes: int
) -> ParsedMessage:
    message_id = headers.message_id("Message-ID")
    if message_id is None:
        present = "message-id" in headers.values
        problems.append("invalid Message-ID" if present else "missing Message-ID")
    sender = _sender(headers, problems)
    to = _guarded(problems, "To", lambda: headers.addresses("To"), [])
    cc = _guarded(problems, "Cc", lambda: headers.addresses("Cc"), [])
    subject = _guarded(problems, "Subject", lambda: headers.unstructured("Subject"), "")
    walker = Walker(max_attachment_bytes=max_attachment_bytes, problems=problems)
    body = _guarded(problems, "body", lambda: walker.walk(message), Body())

    html_source = "\n".join(body.html) if body.html else None
    if html_source is not None:
        html_source = _bounded_html(html_source, problems)
    # Trailing blank lines are transport noise (and vary with how the part was closed).
    text, hint = "\n".join(body.plain).rstrip(), None
    if not text.strip() and html_source is not None:
        if body.plain:
            problems.append("text/plain part empty; text taken from the HTML")
        derived = _guarded(problems, "HTML text", lambda: html_to_text(html_source), None)
        if derived is not None:
            text, hint = derived.text, derived.quote_start
    html = None
    if html_source is not None:
        html = _guarded(problems, "HTML", lambda: sanitize_html(html_source), "") or None
    quote = _guarded(problems, "quotes", lambda: find_quote_start(text, hint=hint), None)
    bounce = _guarded(
        problems,
        "bounce",
        lambda: bounce_info(
            message,
            headers=headers.mapping,
            from_address=sender.address if sender else "",
            subject=subject,
            text=text,
        ),
        BounceInfo(),
    )
    reason = auto_reply_reason(headers.mapping, subject)
    if reason is None and bounce.bounce:
        reason = "bounce"
    elif reason is None and bounce.delay_only:
        reason = "delivery delay notification"
    reply_to = _guarded(problems, "Reply-To", lambda: headers.addresses("Reply-To"), [])
    date = _guarded(problems, "Date", headers.date, None)
    signature = _guarded(problems, "signature", lambda: find_signature_start(text, end=quote), None)
    # Built last, so that every stage above has added its problems.
    return ParsedMessage(
        message_id=message_id,
        in_reply_to=headers.message_id("In-Reply-To"),
        references=headers.references(),
        from_=sender,
        to=to,
        cc=cc,
        reply_to=reply_to,
        subject=subject,
        date=date,
        text=text,
        html=html,
        attachments=body.attachments,
        auto_reply=reason is not None,
        auto_reply_reason=reason,
        spam_reason=spam_reason(headers.mapping, subject),
        robot_sender=robot_sender_reason(a.address for a in [sender, *reply_to] if a),
        bounce=bounce.bounce,
        bounced_message_id=bounce.original_message_id,
        bounce_recipients=bounce.failed_recipients,
        loop_header=has_loop_header(headers.mapping),
        quoted_text_start=quote,
        signature_start=signature,
        recipients_count=len(to) + len(cc),
        headers_sample=_sample(headers),
        problems=_tidy(problems),
    )
