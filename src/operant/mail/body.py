"""Walking a parsed message's MIME tree into body text, body HTML and attachments.

Every step assumes the structure may be broken — boundaries that do not match, truncated
base64, charsets that lie — and recovers what it can, writing each repair down as a problem.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import mimetypes
import quopri
import re
from dataclasses import dataclass, field
from email import errors as email_errors
from email import policy, utils
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.policy import Compat32
from typing import Any

from operant.mail import charsets, transfer
from operant.mail.headers import MIME_POLICY, BoundedCache, fix_surrogates, msg_ids
from operant.mail.uudecode import UU_ENCODINGS, decode_part, take_blocks

MAX_DEPTH = 30
MAX_PARTS = 1000
# An attached message's subject makes its file name; past this length it is cut.
_SUBJECT_NAME_CHARS = 200

_BOUNDARY_LINE = re.compile(rb"^--([0-9A-Za-z'()+_,./:=?-]{1,70})\r?$", re.MULTILINE)
_NEWLINES = re.compile(r"\r\n?")
_MIME_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*\Z")
_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/]")
_NAME_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
_DEFECTS = {
    "CloseBoundaryNotFoundDefect": "MIME: closing boundary missing (message may be truncated)",
    "StartBoundaryNotFoundDefect": "MIME: multipart boundary not found in the body",
    "NoBoundaryInMultipartDefect": "MIME: multipart without a boundary parameter",
    "MultipartInvariantViolationDefect": None,  # reported by the recovery step instead
    "MissingHeaderBodySeparatorDefect": "header block not ended by a blank line",
    "FirstHeaderLineIsContinuationDefect": "first header line is a continuation line",
    "MisplacedEnvelopeHeaderDefect": "misplaced envelope line among the headers",
    "InvalidBase64PaddingDefect": "base64: bad padding",
    "InvalidBase64CharactersDefect": "base64: invalid characters skipped",
    "InvalidBase64LengthDefect": "base64: truncated data",
    "InvalidMultipartContentTransferEncodingDefect": "MIME: multipart with a transfer encoding",
}


@dataclass(frozen=True)
class Attachment:
    """One attached (or inline) file. Over the size limit: ``content`` None, ``omitted`` True."""

    filename: str | None
    content_type: str
    size: int
    content: bytes | None
    omitted: bool = False
    content_id: str | None = None
    inline: bool = False


@dataclass
class Body:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)


def decode_text(
    data: bytes,
    charset: str | None,
    *,
    what: str,
    problems: list[str],
    detection: charsets.DetectionBudget | None,
) -> str:
    """Bytes → text by the charset policy (``charsets.decode``), repairs recorded as problems.

    A missing charset on UTF-8 text is no problem (it is what senders mean); every other
    repair is recorded, as the text may be garbled.
    """
    text, notes = charsets.decode(data, charset, detection=detection)
    problems.extend(f"{what}: {note}" for note in notes)
    # One line-ending convention and no NULs: the text is searched, diffed and stored.
    return _NEWLINES.sub("\n", text.lstrip("\ufeff")).replace("\x00", "")


def _lenient_base64(payload: str) -> bytes:
    """Decode truncated base64 as far as it goes instead of dropping everything: a last group
    of two or three characters still holds whole bytes (it is what padding ends), a lone
    last character holds none."""
    chars = _NOT_BASE64.sub("", payload)
    if len(chars) % 4 == 1:
        chars = chars[:-1]
    chars += "=" * (-len(chars) % 4)
    try:
        return base64.b64decode(chars)
    except (binascii.Error, ValueError):
        return b""


def _guess_boundary(data: bytes) -> bytes | None:
    match = _BOUNDARY_LINE.search(data)
    if match is None:
        return None
    boundary = match.group(1)
    return boundary[:-2] if boundary.endswith(b"--") and len(boundary) > 2 else boundary


class Walker:
    """One pass over a message tree. Keeps the shared problem list and the size limit."""

    def __init__(self, *, max_attachment_bytes: int, problems: list[str]) -> None:
        self.max_attachment_bytes = max_attachment_bytes
        self.problems = problems
        self.parts_seen = 0
        self.declared: charsets.DeclaredCharsets | tuple[str, ...] = ()
        self.detection = charsets.DetectionBudget()

    def walk(self, message: Message) -> Body:
        # Raw 8-bit attachment names are read in the charsets the message declares.
        self.declared = charsets.DeclaredCharsets(message)
        body = Body()
        self._visit(message, 0, body)
        return body

    # -- tree ----------------------------------------------------------------------------
    def _visit(self, part: Message, depth: int, body: Body) -> None:
        self.parts_seen += 1
        if self.parts_seen > MAX_PARTS:
            if self.parts_seen == MAX_PARTS + 1:
                self.problems.append(f"MIME: more than {MAX_PARTS} parts; the rest ignored")
            return
        if depth > MAX_DEPTH:
            self.problems.append(f"MIME: nested deeper than {MAX_DEPTH} levels; inner parts lost")
            return
        ctype = _content_type(part)
        payload = part.get_payload()
        if ctype.startswith("multipart/"):
            self._record_defects(part)
            if not isinstance(payload, list) or not payload:
                self._recover_multipart(part, depth, body)
            elif ctype == "multipart/alternative":
                self._alternative(payload, depth, body)
            else:
                for child in payload:
                    if isinstance(child, Message):
                        self._visit(child, depth + 1, body)
            return
        if isinstance(payload, list):  # message/rfc822 and other message/* containers
            self._record_defects(part)
            data = _message_bytes(part)
            filename = self._filename(part) or self._message_name(payload)
            disposition = _disposition(part)
            self._attach(part, ctype, data, body, filename=filename, disposition=disposition)
            return
        uuencoded = _transfer_encoding(part) in UU_ENCODINGS
        data, uu_name = self._uu_payload(part) if uuencoded else (self._payload_bytes(part), None)
        self._record_defects(part)
        filename = self._filename(part) or uu_name
        disposition = _disposition(part)
        if ctype in ("text/plain", "text/html") and disposition != "attachment" and not filename:
            text = decode_text(
                data,
                _charset(part),
                what=f"{ctype} part",
                problems=self.problems,
                detection=self.detection,
            )
            if ctype == "text/plain" and "begin " in text:
                text = self._take_uu_blocks(text, body)
            (body.plain if ctype == "text/plain" else body.html).append(text)
        else:
            # Name and disposition are read once: reading them again gives the same values.
            self._attach(part, ctype, data, body, filename=filename, disposition=disposition)

    def _alternative(self, children: list[Message], depth: int, body: Body) -> None:
        """RFC 2046: the last alternative is the richest; take the last that has each kind."""
        chosen_plain: list[str] = []
        chosen_html: list[str] = []
        for child in children:
            if not isinstance(child, Message):
                continue
            sub = Body()
            self._visit(child, depth + 1, sub)
            # An empty text/plain (some clients send one beside the HTML) is no alternative
            # to a text with words in it; parse_message then reads the text from the HTML.
            if not chosen_plain or any(text.strip() for text in sub.plain):
                chosen_plain = sub.plain or chosen_plain
            chosen_html = sub.html or chosen_html
            body.attachments.extend(sub.attachments)
        body.plain.extend(chosen_plain)
        body.html.extend(chosen_html)

    def _recover_multipart(self, part: Message, depth: int, body: Body) -> None:
        """A multipart whose boundary does not match its body: find the boundary actually used
        in the body and parse again; failing that, keep the body as plain text."""
        payload = part.get_payload()
        data = payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""
        boundary = _guess_boundary(data)
        if boundary is not None:
            head = b'Content-Type: multipart/mixed; boundary="' + boundary + b'"\n\n'
            recovered = BytesParser(policy=MIME_POLICY).parsebytes(head + data)
            children = recovered.get_payload()
            if isinstance(children, list) and children:
                self.problems.append(
                    "MIME: declared boundary does not match the body; parts recovered"
                )
                for child in children:
                    if isinstance(child, Message):
                        self._visit(child, depth + 1, body)
                return
        self.problems.append("MIME: multipart body without parts; kept as plain text")
        if data.strip():
            text = decode_text(
                data, None, what="body", problems=self.problems, detection=self.detection
            )
            body.plain.append(text)

    # -- leaves --------------------------------------------------------------------------
    def _payload_bytes(self, part: Message) -> bytes:
        try:
            data = part.get_payload(decode=True)
        except Exception:  # noqa: BLE001 - a decoder choked; fall back to the encoded text
            self.problems.append("a part could not be decoded; kept as sent")
            raw = part.get_payload()
            return str(raw).encode("utf-8", "surrogateescape") if raw else b""
        if any(isinstance(d, email_errors.InvalidBase64LengthDefect) for d in part.defects):
            data = _lenient_base64(str(part.get_payload()))
        if isinstance(data, bytes):
            return self._transfer_decoded(part, data)
        return b""

    def _transfer_decoded(self, part: Message, data: bytes) -> bytes:
        """Decode a body whose Content-Transfer-Encoding the stdlib did not recognise but
        that means quoted-printable or base64 (``transfer.repaired``)."""
        written = part.get("content-transfer-encoding")
        if written is None:
            return data
        meant = transfer.repaired(str(written))
        if meant is None:
            return data
        self.problems.append(f"Content-Transfer-Encoding {str(written)[:40]!r} read as {meant}")
        if meant == transfer.BASE64:
            return _lenient_base64(data.decode("ascii", "replace"))
        return quopri.decodestring(data)

    def _uu_payload(self, part: Message) -> tuple[bytes, str | None]:
        """The decoded file of a part sent uuencoded, and the name on its begin line."""
        payload = part.get_payload()
        found = decode_part(payload) if isinstance(payload, str) else None
        if found is None:
            self.problems.append("uuencoded part without a complete begin/end block; kept as sent")
            return str(payload or "").encode("utf-8", "surrogateescape"), None
        return found.data, self._safe_name(found.name)

    def _take_uu_blocks(self, text: str, body: Body) -> str:
        """``text`` without the uuencoded files pasted into it; each becomes an attachment."""
        text, files = take_blocks(text)
        for found in files:
            name = self._safe_name(found.name)
            self.problems.append(f"uuencoded file {name!r} in the text taken out as an attachment")
            ctype = mimetypes.guess_type(name or "")[0] or "application/octet-stream"
            self._attach(None, ctype, found.data, body, filename=name, disposition="attachment")
        return text

    def _message_name(self, payload: list[Message]) -> str | None:
        """A file name for an attached message that has none: its subject and ".eml"."""
        inner = payload[0] if payload and isinstance(payload[0], Message) else None
        subject = _header_text(inner, "subject") if inner is not None else None
        if subject and "=?" in subject:
            with contextlib.suppress(Exception):
                words, repairs = charsets.encoded_words(subject)
                subject = str(make_header(decode_header(words)))
                self.problems.extend(f"attached message subject: {r}" for r in repairs)
        # A subject is not a path: its slashes must not cut it down to the last piece.
        subject = " ".join((subject or "").replace("/", "-").replace("\\", "-").split())
        return self._safe_name(subject[:_SUBJECT_NAME_CHARS] + ".eml") if subject else None

    def _attach(
        self,
        part: Message | None,
        ctype: str,
        data: bytes | None,
        body: Body,
        *,
        filename: str | None,
        disposition: str | None,
    ) -> None:
        size = len(data) if data is not None else 0
        omitted = size > self.max_attachment_bytes
        if omitted:
            self.problems.append(
                f"attachment {filename or ctype!r} is {size} bytes, over the "
                f"{self.max_attachment_bytes} byte limit: content omitted"
            )
        content_id = None
        raw_id = _header_text(part, "content-id") if part is not None else None
        if raw_id:
            ids = msg_ids(raw_id) or [raw_id.strip("<> ")]
            content_id = ids[0] or None
        body.attachments.append(
            Attachment(
                filename=filename,
                content_type=ctype,
                size=size,
                content=None if omitted else data,
                omitted=omitted,
                content_id=content_id,
                inline=disposition == "inline",
            )
        )

    def _filename(self, part: Message) -> str | None:
        """The attachment's name, decoded, with any directory part and control characters
        removed: it ends up in download headers and maybe on disk."""
        try:
            name = _get_filename(part)
        except Exception:  # noqa: BLE001 - an unreadable parameter is just a missing name
            name = None
        return self._safe_name(name) if name else None

    def _safe_name(self, name: str) -> str | None:
        """A file name as it may be shown and stored: decoded, no directories, no control
        characters, at most 255 characters; None if nothing is left."""
        name = fix_surrogates(
            str(name),
            what="attachment name",
            problems=self.problems,
            hints=self.declared,
            detection=self.detection,
        )
        if "=?" in name:
            # Non-standard but common: RFC 2047 words in a parameter. Unreadable: keep as is.
            with contextlib.suppress(Exception):
                words, repairs = charsets.encoded_words(name)
                name = str(make_header(decode_header(words)))
                self.problems.extend(f"attachment name: {repair}" for repair in repairs)
        name = _NAME_CONTROLS.sub("", name.replace("\\", "/").rsplit("/", 1)[-1])
        return name.strip()[:255] or None

    def _record_defects(self, part: Message) -> None:
        for defect in part.defects:
            name = type(defect).__name__
            text = _DEFECTS.get(name, f"MIME: {name}")
            if text:
                self.problems.append(text)


_MISSING = object()


class _Verbatim(Compat32):
    """A policy that hands stored header values back untouched, for ``_param``'s probes."""

    def header_fetch_parse(self, name: str, value: Any) -> Any:
        return value


_VERBATIM = _Verbatim()


@BoundedCache
def _param(header: str, param: str, value: str) -> Any:
    """``Message.get_param(param, _MISSING, header)`` of a part whose ``header`` reads
    ``value``.

    The stdlib re-splits and re-decodes the whole parameter list on every read; the result
    depends on nothing but the header's text, so it is computed once per text, by the stdlib
    itself on a one-header message. A read that raises is not cached and raises again.
    """
    probe = Message(policy=_VERBATIM)
    probe[header] = value
    return probe.get_param(param, _MISSING, header)


def _get_param(part: Message, param: str, header: str) -> Any:
    """``part.get_param(param, _MISSING, header)``, through the ``_param`` cache."""
    value = part.get(header)
    if value is None:
        return _MISSING
    return _param(header, param, str(value))


def _get_filename(part: Message) -> str | None:
    """``part.get_filename()``: Content-Disposition's filename, else Content-Type's name; the
    second header is only read when the first has no name, as the stdlib does."""
    filename = _get_param(part, "filename", "content-disposition")
    if filename is _MISSING:
        filename = _get_param(part, "name", "content-type")
    if filename is _MISSING:
        return None
    return utils.collapse_rfc2231_value(filename).strip()


def clear_caches() -> None:
    """Forget the cached charset and parameter reads (benchmarks time a cold start)."""
    charsets.clear_caches()
    _param.cache_clear()


def _content_type(part: Message) -> str:
    """The part's type; RFC 2045 says an invalid one means text/plain (or message/rfc822
    inside multipart/digest, which the stdlib already applies)."""
    try:
        ctype = part.get_content_type().lower()
    except Exception:  # noqa: BLE001 - unreadable is invalid
        return "text/plain"
    return ctype if _MIME_TYPE.match(ctype) else "text/plain"


def _charset(part: Message) -> str | None:
    try:
        charset = _get_param(part, "charset", "content-type")
    except Exception:  # noqa: BLE001 - an unreadable parameter is a missing one
        return None
    if charset is _MISSING:
        return None
    if isinstance(charset, tuple):  # RFC 2231 form: (charset, language, value)
        charset = charset[2]
    return fix_surrogates(str(charset), what="charset", problems=[]) if charset else None


def _transfer_encoding(part: Message) -> str:
    value = part.get("content-transfer-encoding")
    return str(value).strip().lower() if value is not None else ""


def _disposition(part: Message) -> str | None:
    try:
        return part.get_content_disposition()
    except Exception:  # noqa: BLE001 - no usable disposition
        return None


def _header_text(part: Message, name: str) -> str | None:
    for key, value in part.raw_items():
        if key.lower() == name:
            return fix_surrogates(str(value), what=name, problems=[]).strip()
    return None


def _message_bytes(part: Message) -> bytes | None:
    """The body of a message/* part (the attached mail) as bytes, or None if unwritable."""
    try:
        data = part.as_bytes(policy=policy.compat32)
    except Exception:  # noqa: BLE001 - a mail too broken to re-serialise is listed without content
        return None
    separator = data.find(b"\n\n")
    body = data[separator + 2 :] if separator != -1 else b""
    # RFC 2046 forbids encoding message/rfc822, but some clients base64 it anyway.
    written = _header_text(part, "content-transfer-encoding") or ""
    encoding = transfer.repaired(written) or written.lower()
    if encoding == transfer.BASE64:
        return _lenient_base64(body.decode("ascii", "replace"))
    if encoding == transfer.QUOTED_PRINTABLE:
        return quopri.decodestring(body)
    return body
