"""Reading the headers of one message without ever raising.

Mail in the wild carries raw 8-bit bytes in headers, broken RFC 2047 words and address lists
that no parser agrees on. The stdlib parses lazily and can raise (or hand back surrogate
escapes) when a header is read, so every header is read here once, repaired, and any repair is
written down as a problem for the operator instead of being lost or crashing the pipeline.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email import errors as email_errors
from email import policy, utils
from email.header import decode_header, make_header
from email.message import Message
from email.policy import EmailPolicy
from functools import lru_cache
from typing import Any, Generic, TypeVar

from operant.mail import charsets

# Header folding: a line break followed by white space continues the header (RFC 5322 2.2.3).
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_CONTROL = re.compile(r"[\x00\r\n]")
_BRACKETED_ID = re.compile(r"<([^<>]*)>")
# What EmailPolicy.header_fetch_parse removes before parsing: every CR and LF.
_LINESEP = re.compile(r"\n|\r")

T = TypeVar("T")
# Text longer than this is read without the caches below: a hostile message must not be able
# to pin megabytes of header text in memory. Real header values are far shorter.
_CACHED_CHARS = 2000


class BoundedCache(Generic[T]):
    """``functools.lru_cache`` for pure functions of a few names and one text, the last
    argument (a header value, say).

    Results are kept for the 4096 most recent arguments; calls with a text longer than
    ``_CACHED_CHARS`` are computed and not kept. As with ``lru_cache``, a call that raises
    is not kept and raises again next time.
    """

    def __init__(self, function: Callable[..., T]) -> None:
        self.uncached = function
        self.cached = lru_cache(maxsize=4096)(function)
        self.__doc__ = function.__doc__

    def __call__(self, *args: str) -> T:
        if len(args[-1]) > _CACHED_CHARS:
            return self.uncached(*args)
        return self.cached(*args)

    def cache_clear(self) -> None:
        self.cached.cache_clear()


# --- structured headers at policy.default's semantics, without its cost -------------------
#
# ``policy.default`` turns every header it hands out into a header object: a full RFC 5322
# parse, plus a new class per call (``HeaderRegistry.__getitem__``). The MIME code asks for
# Content-Type a dozen times per part, so that parse was most of the time spent on a message.
# Only ``str()`` of the Content-* headers is ever used there, and for the plain forms nearly
# all mail uses it is predictable: the value itself, with the parameters written out again
# as ``; name="value"``. Those forms are produced directly below; anything else goes to the
# stdlib parser as before. The fast forms are deliberately narrow (ASCII, no comments, no
# RFC 2047/2231, no escapes), so that their result is the stdlib's result by construction.

# RFC 2045 token characters: what the stdlib's ttext accepts, minus controls and non-ASCII.
_TOKEN = r"[A-Za-z0-9!#$%&'*+.^_`{|}~-]+"
# A parameter name without the RFC 2231 markers ("*", "'", "%").
_ATTRIBUTE = r"[A-Za-z0-9!#$&+.^_`{|}~-]+"
# An unquoted parameter value: the stdlib's extended-attrtext (which allows "%") in ASCII.
_BARE_VALUE = r"[A-Za-z0-9!#$%&+.^_`{|}~-]+"
# Quoted-string content without backslash escapes, tabs or an "=?" (which would start an
# RFC 2047 word the stdlib decodes even inside quotes).
_QUOTED_VALUE = r"(?:[ !#-<>-\[\]-~]|=(?!\?))*"
_PARAM = rf'[ \t]*({_ATTRIBUTE})=(?:({_BARE_VALUE})|"({_QUOTED_VALUE})")[ \t]*'
_PARAM_RE = re.compile(_PARAM)
_PARAMS = rf"(?:;((?:{_PARAM};)*{_PARAM}))?"
_SIMPLE_TYPE = re.compile(rf"([ \t]*{_TOKEN}/{_TOKEN}[ \t]*){_PARAMS}")
_SIMPLE_DISPOSITION = re.compile(rf"([ \t]*{_TOKEN}[ \t]*){_PARAMS}")
_SIMPLE_ENCODING = re.compile(rf"[ \t]*{_TOKEN}[ \t]*")
_SIMPLE_FORMS = {"content-type": _SIMPLE_TYPE, "content-disposition": _SIMPLE_DISPOSITION}


def _simple_mime_header(name: str, value: str) -> str | None:
    """``str()`` of the stdlib's header object for a plain Content-* value, or None.

    The stdlib keeps the type (with the white space around it) as written and rewrites the
    parameters: first occurrence of each name wins, each written ``name="value"`` (or just
    ``name`` when empty), joined by "; " after one space.
    """
    if name == "content-transfer-encoding":
        return value if _SIMPLE_ENCODING.fullmatch(value) else None
    form = _SIMPLE_FORMS.get(name)
    match = form.fullmatch(value) if form is not None else None
    if match is None:
        return None
    head, params = match.group(1), match.group(2)
    if params is None:
        return head
    seen: dict[str, str] = {}
    for attribute, bare, quoted in _PARAM_RE.findall(params):
        seen.setdefault(attribute, bare or quoted)
    written = "; ".join(f'{key}="{val}"' if val else key for key, val in seen.items())
    return f"{head}; {written}"


@BoundedCache
def parsed_header(name: str, value: str) -> Any:
    """What ``policy.default.header_fetch_parse(name, value)`` returns, as far as ``str()``,
    except that charset labels (RFC 2047 words, RFC 2231 parameters) are read by the mail's
    charset policy (``charsets.for_stdlib``): gb2312 as gb18030, and so on.

    Cached because the same values come back again and again: each part's Content-Type is
    read about a dozen times, and senders, recipients and part headers repeat across mail.
    The header objects are immutable; a parse that raises is not cached and raises again.
    """
    value = charsets.for_stdlib("".join(_LINESEP.split(value)))
    simple = _simple_mime_header(name.lower(), value)
    if simple is not None:
        return simple
    return _HEADER_FACTORY(name, value)


class _MimePolicy(EmailPolicy):
    """``policy.default`` for parsing, with header reads served by ``parsed_header``.

    Its messages are plain ``Message`` objects: their API needs only the ``str()`` of a
    header, which is all the fast forms provide (EmailMessage's extras want header objects).
    """

    def header_fetch_parse(self, name: str, value: str) -> Any:
        # Read for every header a part is asked about, so ``parsed_header``'s cache is used
        # directly. Stored values are plain strings; others may be header objects already,
        # which the stdlib hands back as they are.
        if value.__class__ is not str and hasattr(value, "name"):
            return value
        if len(value) > _CACHED_CHARS:
            return parsed_header.uncached(name, value)
        return parsed_header.cached(name, value)


_HEADER_FACTORY = policy.default.header_factory
# The parse policy of the mail pipeline: the same structure and values as policy.default.
MIME_POLICY = _MimePolicy(message_factory=Message)


@dataclass(frozen=True)
class Address:
    """One mailbox: the address as written (``local@domain``) and its decoded display name."""

    address: str
    name: str


def fix_surrogates(
    value: str,
    *,
    what: str,
    problems: list[str],
    hints: Iterable[str] = (),
    detection: charsets.DetectionBudget | None = None,
) -> str:
    """Turn the surrogate escapes the byte parser leaves for 8-bit data back into text.

    UTF-8 is tried first because RFC 6532 allows it in headers and most senders use it; then
    ``hints`` (the charsets the message declares) and, within the ``detection`` budget, the
    detector, by ``charsets.decode``. Any reading but UTF-8 is a guess, so it is recorded.
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        pass
    else:
        return value
    data = value.encode("utf-8", "surrogateescape")
    text, notes = charsets.decode(
        data, None, hints=hints, detection=detection, undeclared="8-bit bytes that are not UTF-8"
    )
    problems.extend(f"{what}: {note}" for note in notes)
    return text


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


# --- the strict reads of free text and address lists ---------------------------------------
#
# Both are pure functions of the header name and its (decoded) value, so they are cached:
# To is the desk's own address on nearly every message, and clients write again and again.
# The common plain forms are read directly, giving what the stdlib parser gives for them.

# The stdlib's free-text parse changes a value only where it decodes an RFC 2047 word ("=?")
# or replaces surrogate escapes; its token defects never reach the header object. Without
# either, the parsed text is the value itself, without defects.
_UNSTRUCTURED_TROUBLE = re.compile(r"=\?|[\ud800-\udfff]")
# RFC 5322 atext in ASCII, minus "=?" (the stdlib tries an RFC 2047 word there).
_ATEXT = r"(?:[A-Za-z0-9!#$%&'*+/?^_`{|}~-]|=(?!\?))+"
_ADDR_SPEC = rf"{_ATEXT}(?:\.{_ATEXT})*@{_ATEXT}(?:\.{_ATEXT})*"
# "local@domain", "<local@domain>" or "Words Of A Name <local@domain>": no quotes, comments,
# dots in the name, groups or empty list elements, each of which the stdlib treats specially.
_MAILBOX = re.compile(
    rf"[ \t]*(?:({_ADDR_SPEC})|((?:{_ATEXT}[ \t]+)*{_ATEXT})?[ \t]*<({_ADDR_SPEC})>)[ \t]*"
)
_WSP_RUN = re.compile(r"[ \t]+")

Pairs = tuple[tuple[str, str], ...]


def _simple_addresses(value: str) -> Pairs | None:
    """(display name, address) of a plain address list, as the stdlib reads it, or None."""
    pairs: list[tuple[str, str]] = []
    for item in value.split(","):
        match = _MAILBOX.fullmatch(item)
        if match is None:
            return None
        bare, display, angled = match.groups()
        # The stdlib joins the words of a display name with one space.
        name = _WSP_RUN.sub(" ", display) if display else ""
        pairs.append((name, bare or angled))
    return tuple(pairs)


def _kept_defects(defects: object) -> tuple[str, ...]:
    """A header's parse defects as text, except obsolete-but-valid syntax (not a fault)."""
    if not isinstance(defects, tuple | list):
        return ()
    return tuple(
        str(defect)
        for defect in defects
        if not isinstance(defect, email_errors.ObsoleteHeaderDefect)
    )


@BoundedCache
def _strict_unstructured(name: str, value: str) -> tuple[str, tuple[str, ...]]:
    """(decoded text, defects) of a free-text header by the stdlib parser; raises as it does."""
    if not _UNSTRUCTURED_TROUBLE.search(value):
        return value, ()
    value, repairs = charsets.encoded_words(value)
    header = _HEADER_FACTORY(name, value)
    return str(header), repairs + _kept_defects(header.defects)


@BoundedCache
def _strict_addresses(name: str, value: str) -> tuple[Pairs, tuple[str, ...]]:
    """(display name, address) pairs and defects of an address header, as the stdlib parser
    reads them (see ``_stdlib_addresses``)."""
    simple = _simple_addresses(value)
    if simple is not None:
        return simple, ()
    return _stdlib_addresses(name, value)


# --- mailboxes the stdlib cannot read, though their address is plain to see ---------------
#
# The stdlib gives up on a whole mailbox for one flaw anywhere in it: brackets or a "|" in the
# display name ("Max Kohl | [example.com] <kohl@example.com>"), a trailing dot after the domain
# ("<Claudia.Shu@yahoo.com.>"). It then returns the display name as a domain-less address, or
# nothing. When its read of a list has defects and misses an address that an item states in
# angle brackets (or bare), the list is read again item by item and that address is taken.

# local@domain without quoting, comments or white space; the domain's trailing dots (a DNS
# root written out, or a typo) are left out of the group and dropped.
_PLAIN_SPEC = re.compile(
    r'([^\s<>@",;:()\[\]\\]+@[^\s<>@",;:()\[\]\\.]+(?:\.[^\s<>@",;:()\[\]\\.]+)*)(\.*)'
)


@dataclass(frozen=True)
class _Item:
    """One element of an address list: its text, and the text before and inside its
    top-level angle brackets (None without them)."""

    text: str
    display: str
    angle: str | None


def _list_items(value: str) -> list[_Item] | None:
    """The elements of an address list, split at top-level commas (not inside quotes, comments
    or angle brackets); None for a list with a group ("Team: a@x, b@y;"), whose items
    cannot be read one by one."""
    items: list[_Item] = []
    start, display_end, angle_start, angle_end = 0, -1, -1, -1
    quoted, comment, in_angle, escaped = False, 0, False, False
    for index, char in enumerate(value):
        if escaped:
            escaped = False
        elif (quoted or comment) and char == "\\":
            escaped = True
        elif quoted:
            quoted = char != '"'
        elif comment:
            comment += {"(": 1, ")": -1}.get(char, 0)
        elif in_angle:
            if char == ">":
                in_angle, angle_end = False, index
        elif char == '"':
            quoted = True
        elif char == "(":
            comment = 1
        elif char == "<":
            in_angle, angle_start, angle_end = True, index + 1, -1
            if display_end < 0:
                display_end = index
        elif char in ":;":
            return None
        elif char == ",":
            items.append(_item(value, start, index, display_end, angle_start, angle_end))
            start, display_end, angle_start, angle_end = index + 1, -1, -1, -1
    items.append(_item(value, start, len(value), display_end, angle_start, angle_end))
    return items


def _item(
    value: str, start: int, end: int, display_end: int, angle_start: int, angle_end: int
) -> _Item:
    angle = value[angle_start:angle_end] if angle_end > angle_start >= 0 else None
    display = value[start:display_end] if display_end >= 0 else ""
    return _Item(text=value[start:end], display=display, angle=angle)


def _display_name(text: str) -> str:
    """A display name as written before "<": unquoted when it is one quoted string, encoded
    words decoded, white space collapsed."""
    text = text.strip()
    if len(text) > 1 and text[0] == text[-1] == '"' and '"' not in text[1:-1].replace('\\"', ""):
        text = re.sub(r"\\(.)", r"\1", text[1:-1])
    if "=?" in text:
        with contextlib.suppress(Exception):
            text = str(_HEADER_FACTORY("subject", text))
    return _WSP_RUN.sub(" ", text).strip()


def _plain_spec(text: str | None) -> tuple[str, bool] | None:
    """(address, whether trailing dots were dropped) of a plain local@domain, or None."""
    match = _PLAIN_SPEC.fullmatch(text.strip()) if text is not None else None
    return (match.group(1), bool(match.group(2))) if match is not None else None


def _salvaged(name: str, value: str, read: Pairs) -> tuple[Pairs, tuple[str, ...]] | None:
    """The list read item by item when the stdlib's ``read`` misses an address an item states
    plainly; None when it misses none (its read stands)."""
    items = _list_items(value)
    if items is None:
        return None
    specs = [_plain_spec(item.angle if item.angle is not None else item.text) for item in items]
    known = {spec: (display, spec) for display, spec in reversed(read)}  # first pair wins
    if all(spec is None or spec[0] in known for spec in specs):
        return None
    pairs: list[tuple[str, str]] = []
    defects: list[str] = []
    for item, spec in zip(items, specs, strict=True):
        if spec is not None:
            address, dropped = spec
            if address in known:  # the stdlib read this one: its reading stands
                pairs.append(known[address])
                continue
            pairs.append((_display_name(item.display), address))
            dot = " (trailing dot dropped)" if dropped else ""
            defects.append(f"unreadable mailbox; its address {address} kept{dot}")
        elif item.text.strip():
            try:
                alone, item_defects = _stdlib_addresses(name, item.text)
            except Exception:  # noqa: BLE001 - alone, the stdlib may give up where it did not
                defects.append("unreadable mailbox dropped")
                continue
            pairs.extend(alone)
            defects.extend(item_defects)
    return tuple(pairs), tuple(defects)


def _stdlib_addresses(name: str, value: str) -> tuple[Pairs, tuple[str, ...]]:
    """(display name, address) pairs and defects by the stdlib parser; raises as it does.

    A mailbox without a domain is junk from a broken list, except a bare sender such as
    "MAILER-DAEMON", which bounce detection still needs to see.
    """
    value, repairs = charsets.encoded_words(value)
    header = _HEADER_FACTORY(name, value)
    pairs = tuple(
        (a.display_name, a.addr_spec)
        for a in header.addresses
        if a.domain or name in ("from", "sender")
    )
    return pairs, repairs + _kept_defects(header.defects)


@BoundedCache
def _read_addresses(name: str, value: str) -> tuple[Pairs, tuple[str, ...]]:
    """``_strict_addresses``, with the mailboxes it lost salvaged (see ``_salvaged``)."""
    pairs, defects = _strict_addresses(name, value)
    if not defects:
        return pairs, defects
    return _salvaged(name, value, pairs) or (pairs, defects)


# The form nearly every mail client writes (RFC 5322 3.3 without the obsolete parts):
# "Mon, 3 Mar 2025 10:04:05 -0500". The year has four digits and no leading zero, as the
# stdlib turns years below 100 into 19xx/20xx.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_RFC5322_DATE = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{1,2}) (" + "|".join(_MONTHS) + r") ([1-9]\d{3}) "
    r"(\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)",
    re.ASCII,  # ASCII digits only; the stdlib's rules for others are left to the stdlib
)


def _parse_date(value: str) -> datetime:
    """``email.utils.parsedate_to_datetime(value)``, reading the usual form directly.

    That form gives the stdlib's result by its rules: fields as written, the zone as
    sign * (hours, minutes), "-0000" as no zone (naive). Invalid values raise as there.
    """
    match = _RFC5322_DATE.fullmatch(value)
    if match is None:
        return utils.parsedate_to_datetime(value)
    day, month, year, hour, minute, second, sign, zone_hours, zone_minutes = match.groups()
    fields = (int(year), _MONTHS.index(month) + 1, int(day), int(hour), int(minute), int(second))
    offset = int(zone_hours) * 3600 + int(zone_minutes) * 60
    if offset == 0 and sign == "-":
        return datetime(*fields)
    return datetime(*fields, tzinfo=timezone(timedelta(seconds=-offset if sign == "-" else offset)))


def clear_caches() -> None:
    """Forget every cached header read (benchmarks use it to time a cold start)."""
    for cached in (parsed_header, _strict_unstructured, _strict_addresses, _read_addresses):
        cached.cache_clear()


class HeaderReader:
    """Decoded access to the top-level headers of a parsed message.

    1. Every raw header is unfolded and its 8-bit bytes decoded once, in ``__init__``.
    2. Structured reads (addresses, ids, date) parse that clean text and fall back to the
       lenient parsers when the strict ones fail, recording a problem.
    """

    def __init__(self, message: Message, problems: list[str]) -> None:
        self.problems = problems
        # Raw 8-bit bytes are read in the charsets the message declares, if need be.
        hints = charsets.DeclaredCharsets(message)
        detection = charsets.DetectionBudget()
        self.values: dict[str, list[str]] = {}
        self.items: list[tuple[str, str]] = []
        try:
            raw_items = list(message.raw_items())
        except Exception as exc:  # noqa: BLE001 - a header block we cannot list is still mail
            problems.append(f"headers could not be read: {type(exc).__name__}")
            raw_items = []
        for name, value in raw_items:
            clean_name = str(name)
            # ASCII text has no surrogate escapes, line breaks only where it is folded.
            if not clean_name.isascii():
                clean_name = fix_surrogates(clean_name, what="header name", problems=problems)
            clean_name = clean_name.strip()
            text = str(value)
            if "\n" in text:
                text = _FOLD.sub("", text)
            if not text.isascii():
                what = f"{clean_name} header"
                text = fix_surrogates(
                    text, what=what, problems=problems, hints=hints, detection=detection
                )
            if "\x00" in text or "\r" in text or "\n" in text:
                text = _CONTROL.sub("", text)
            text = text.strip()
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
            text, defects = _strict_unstructured(name.lower(), value)
            self.problems.extend(f"{name} header: {defect}" for defect in defects)
        except Exception:  # noqa: BLE001 - the strict parser gave up; try the lenient one
            try:
                text = str(make_header(decode_header(charsets.encoded_words(value)[0])))
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
            pairs, defects = _read_addresses(name.lower(), value)
            self.problems.extend(f"{name} header: {defect}" for defect in defects)
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
            parsed = _parse_date(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            self.problems.append(f"unparseable Date: {value[:80]!r}")
            return None
        if parsed.tzinfo is None:
            # RFC 5322 "-0000" (and zone-less dates) mean "UTC, local zone unknown".
            parsed = parsed.replace(tzinfo=UTC)
        return parsed
