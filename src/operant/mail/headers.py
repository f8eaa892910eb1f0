"""Reading the headers of one message without ever raising.

Mail in the wild carries raw 8-bit bytes in headers, broken RFC 2047 words and address lists
that no parser agrees on. The stdlib parses lazily and can raise (or hand back surrogate
escapes) when a header is read, so every header is read here once, repaired, and any repair is
written down as a problem for the operator instead of being lost or crashing the pipeline.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email import errors as email_errors
from email import policy, utils
from email.header import decode_header, make_header
from email.message import Message

# Header folding: a line break followed by white space continues the header (RFC 5322 2.2.3).
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_CONTROL = re.compile(r"[\x00\r\n]")
_BRACKETED_ID = re.compile(r"<([^<>]*)>")
_HEADER_FACTORY = policy.default.header_factory


@dataclass(frozen=True)
class Address:
    """One mailbox: the address as written (``local@domain``) and its decoded display name."""

    address: str
    name: str


def fix_surrogates(value: str, *, what: str, problems: list[str]) -> str:
    """Turn the surrogate escapes the byte parser leaves for 8-bit data back into text.

    UTF-8 is tried first because RFC 6532 allows it in headers and most senders use it; anything
    else is a guess (cp1252 covers Latin-1 too), so it is recorded as a problem.
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        pass
    else:
        return value
    data = value.encode("utf-8", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        problems.append(f"{what}: 8-bit bytes that are not UTF-8, decoded as cp1252")
        return data.decode("cp1252", "replace")


def _header_problems(name: str, defects: object, problems: list[str]) -> None:
    """Record a header's parse defects, except obsolete-but-valid syntax, which is not a fault."""
    if not isinstance(defects, tuple | list):
        return
    for defect in defects:
        if isinstance(defect, email_errors.ObsoleteHeaderDefect):
            continue
        problems.append(f"{name} header: {defect}")


def msg_ids(value: str) -> list[str]:
    """Message-IDs in a header value, without angle brackets, in order.

    Bare tokens with an ``@`` are accepted when no bracketed id exists: some mailers omit the
    brackets, and threading still works with the id they meant.
    """
    found = ["".join(m.group(1).split()) for m in _BRACKETED_ID.finditer(value)]
    found = [i for i in found if i]
    if found:
        return found
    tokens = (t.strip("<>,;\"'") for t in value.split())
    return [t for t in tokens if "@" in t]


class HeaderReader:
    """Decoded access to the top-level headers of a parsed message.

    1. Every raw header is unfolded and its 8-bit bytes decoded once, in ``__init__``.
    2. Structured reads (addresses, ids, date) parse that clean text and fall back to the
       lenient parsers when the strict ones fail, recording a problem.
    """

    def __init__(self, message: Message, problems: list[str]) -> None:
        self.problems = problems
        self.values: dict[str, list[str]] = {}
        self.items: list[tuple[str, str]] = []
        try:
            raw_items = list(message.raw_items())
        except Exception as exc:  # noqa: BLE001 - a header block we cannot list is still mail
            problems.append(f"headers could not be read: {type(exc).__name__}")
            raw_items = []
        for name, value in raw_items:
            clean_name = fix_surrogates(str(name), what="header name", problems=problems).strip()
            text = _FOLD.sub("", str(value))
            text = fix_surrogates(text, what=f"{clean_name} header", problems=problems)
            text = _CONTROL.sub("", text).strip()
            self.values.setdefault(clean_name.lower(), []).append(text)
            self.items.append((clean_name, text))

    @property
    def mapping(self) -> Mapping[str, list[str]]:
        """Lower-case header name → raw (unfolded, 8-bit decoded) values, for the loop checks."""
        return self.values

    def first(self, name: str) -> str | None:
        values = self.values.get(name.lower())
        return values[0] if values else None

    def unstructured(self, name: str) -> str:
        """The RFC 2047-decoded value of a free-text header such as Subject ("" when absent)."""
        value = self.first(name)
        if value is None:
            return ""
        try:
            header = _HEADER_FACTORY(name.lower(), value)
            text = str(header)
            _header_problems(name, header.defects, self.problems)
        except Exception:  # noqa: BLE001 - the strict parser gave up; try the lenient one
            try:
                text = str(make_header(decode_header(value)))
            except Exception:  # noqa: BLE001 - keep the encoded text rather than nothing
                text = value
            self.problems.append(f"{name} header: invalid encoded words, kept as written")
        text = fix_surrogates(text, what=f"{name} header", problems=self.problems)
        return _CONTROL.sub("", text).strip()

    def addresses(self, name: str) -> list[Address]:
        """All mailboxes in every ``name`` header (a repeated To: header adds to the list)."""
        found: list[Address] = []
        for value in self.values.get(name.lower(), []):
            found.extend(self._parse_addresses(name, value))
        return found

    def _parse_addresses(self, name: str, value: str) -> list[Address]:
        try:
            header = _HEADER_FACTORY(name.lower(), value)
            # A mailbox without a domain is junk from a broken list, except a bare sender
            # such as "MAILER-DAEMON", which bounce detection still needs to see.
            pairs = [
                (a.display_name, a.addr_spec)
                for a in header.addresses
                if a.domain or name.lower() in ("from", "sender")
            ]
            _header_problems(name, header.defects, self.problems)
        except Exception:  # noqa: BLE001 - the strict parser gave up; the compat one rarely does
            self.problems.append(f"{name} header: unparseable address list, read leniently")
            try:
                pairs = utils.getaddresses([value])
            except Exception:  # noqa: BLE001 - nothing recoverable in this header
                return []
        out: list[Address] = []
        for display, spec in pairs:
            spec = spec.strip()
            if not spec or spec == "<>":
                continue
            display = fix_surrogates(str(display), what=f"{name} header", problems=self.problems)
            out.append(Address(address=_CONTROL.sub("", spec), name=_CONTROL.sub("", display)))
        return out

    def message_id(self, name: str) -> str | None:
        value = self.first(name)
        if value is None:
            return None
        ids = msg_ids(value)
        if not ids:
            self.problems.append(f"{name} header: no message id in {value[:80]!r}")
            return None
        return ids[0]

    def references(self) -> list[str]:
        seen: dict[str, None] = {}
        for value in self.values.get("references", []):
            for ref in msg_ids(value):
                seen.setdefault(ref, None)
        return list(seen)

    def date(self) -> datetime | None:
        """The Date header as an aware datetime; a date without a zone is taken as UTC."""
        value = self.first("date")
        if value is None:
            self.problems.append("missing Date")
            return None
        try:
            parsed = utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            self.problems.append(f"unparseable Date: {value[:80]!r}")
            return None
        if parsed.tzinfo is None:
            # RFC 5322 "-0000" (and zone-less dates) mean "UTC, local zone unknown".
            parsed = parsed.replace(tzinfo=UTC)
        return parsed

