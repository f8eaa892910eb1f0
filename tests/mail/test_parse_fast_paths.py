"""The parser's shortcuts give exactly what the stdlib's full parse gives.

``parse_message`` reads the common forms of Content-* headers, address lists, subjects and
dates directly and caches header reads; these tests hold each shortcut to the stdlib result
(policy.default) on generated values, plain and hostile, and check that caching changes
nothing.
"""

from __future__ import annotations

import re
from datetime import UTC
from email import errors as email_errors
from email import policy, utils
from email.message import Message
from email.parser import BytesParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from operant.mail import body
from operant.mail.body import Walker
from operant.mail.headers import MIME_POLICY, HeaderReader, parsed_header
from operant.mail.htmlguard import MAX_NESTING, limit_nesting
from operant.mail.parse import clear_caches, parse_message
from operant.mail.quoting import find_signature_start
from tests.mail.helpers import SAMPLES

SAMPLE_BYTES = [path.read_bytes() for path in sorted(SAMPLES.glob("*.eml"))]
FAST = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _pieces(*options: str) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(options), max_size=12).map("".join)


# Building blocks of MIME headers, including the ones that must leave the shortcut.
_MIME_TEXT = _pieces(
    "text", "plain", "multipart", "mixed", "/", ";", " ", "\t", "=", '"', "\\", "charset",
    "utf-8", "name", "Name", "boundary", "====_x==", "=?", "?=", "*", "'", "%", "(", ")",
    "a.b", "x-y", "é", "\udce9", "\x00", ",", "@", "<", "\r\n ", "0", "*0", "''", "%41",
    "filename", "attachment", "inline", "base64",
)  # fmt: skip
_SUBJECT_TEXT = _pieces(
    "Re:", " ", "  ", "\t", "x", "café", "=?utf-8?q?x?=", "=?", "?=", "\x0b", "\x7f", "\xa0",
    "\u3000", "\x85", "[OPR-1]",
)  # fmt: skip
_TOKEN = st.sampled_from(["text", "plain", "application", "vnd.ms-excel", "a+b", "x'y", "base64"])
_VALUE = st.sampled_from(
    ["utf-8", "a.b", "a%41", "===x==", "a b", "", "=?utf-8?q?x?=", "a=?b", "x\\y", 'x"y', "é"]
)


@st.composite
def _mime_values(draw: st.DrawFn) -> tuple[str, str]:
    name = draw(
        st.sampled_from(["Content-Type", "Content-Disposition", "Content-Transfer-Encoding"])
    )
    if draw(st.booleans()):
        return name, draw(_MIME_TEXT)
    value = draw(_TOKEN) + ("/" + draw(_TOKEN) if name == "Content-Type" else "")
    for _ in range(draw(st.integers(0, 3))):
        quoted = draw(st.booleans())
        param = draw(st.sampled_from(["charset", "name", "Name", "boundary", "filename", "x*"]))
        raw = draw(_VALUE)
        value += draw(st.sampled_from([";", "; ", " ;\t"])) + param + "="
        value += f'"{raw}"' if quoted else raw
    return name, value


def _outcome(read: object, *args: object) -> tuple[str, object]:
    try:
        return "value", str(read(*args))  # type: ignore[operator]
    except Exception as exc:  # noqa: BLE001 - the kind of failure must match too
        return "raises", type(exc)


@FAST
@given(_mime_values())
def test_content_headers_read_as_the_stdlib_reads_them(header: tuple[str, str]) -> None:
    name, value = header

    assert _outcome(parsed_header, name, value) == _outcome(
        policy.default.header_fetch_parse, name, value
    )


def _reference_addresses(name: str, value: str) -> tuple[object, ...]:
    """What the header reader did before it had shortcuts: the stdlib's address parse."""
    try:
        header = policy.default.header_factory(name.lower(), value)
        pairs = [
            (a.display_name, a.addr_spec)
            for a in header.addresses
            if a.domain or name.lower() in ("from", "sender")
        ]
    except Exception:  # noqa: BLE001 - the reader then falls back to the lenient parse
        return ("fallback",)
    defects = [
        str(d) for d in header.defects if not isinstance(d, email_errors.ObsoleteHeaderDefect)
    ]
    return ("strict", pairs, defects)


_WORD = st.sampled_from(
    ["Jane", "Doe", "O'Brien", "a/b", "x=y", "J.", '"Q"', "é", "=?x?q?y?=", "[IT]", "|"]
)
_LOCAL = st.sampled_from(["jane", "j.doe", "a+b", "x=y", "a..b", "MAILER-DAEMON", "é", '"q"'])
_DOMAIN = st.sampled_from(
    ["x.example", "b", "B.EXAMPLE", "[1.2.3.4]", "x..y", "é.x", "", "x.example."]
)


@st.composite
def _address_lists(draw: st.DrawFn) -> str:
    items = []
    for _ in range(draw(st.integers(0, 3))):
        spec = draw(_LOCAL) + draw(st.sampled_from(["@", "@", " @"])) + draw(_DOMAIN)
        space = draw(st.sampled_from(["", " ", "\t", "  "]))
        form = draw(st.integers(0, 2))
        if form == 0:
            items.append(space + spec)
        elif form == 1:
            items.append(f"{space}<{spec}>{space}")
        else:
            words = draw(st.lists(_WORD, min_size=1, max_size=3))
            gap = draw(st.sampled_from([" ", "  ", "\t"]))
            items.append(f"{space}{gap.join(words)} <{spec}>")
    return draw(st.sampled_from([",", ", ", " ,"])).join(items)


def _reader(name: str, value: str) -> tuple[HeaderReader, list[str]]:
    message = Message(policy=MIME_POLICY)
    message.set_raw(name, value)  # as the parser stores it: no checks, no parsing
    problems: list[str] = []
    return HeaderReader(message, problems), problems


# What the reader adds to the stdlib's read: mailboxes it lost although their address is plain.
_SALVAGE_NOTE = "unreadable mailbox; its address "


@FAST
@given(st.sampled_from(["From", "To", "Cc", "Sender"]), _address_lists())
def test_address_lists_read_as_the_stdlib_reads_them(name: str, value: str) -> None:
    reader, problems = _reader(name, value)
    clean = reader.first(name) or ""

    found = reader.addresses(name)

    reference = _reference_addresses(name, clean)
    if reference[0] == "fallback":
        assert f"{name} header: unparseable address list, read leniently" in problems
    elif not any(_SALVAGE_NOTE in p for p in problems):
        expected = [(n, a.strip()) for n, a in reference[1] if a.strip() not in ("", "<>")]
        assert [(a.name, a.address) for a in found] == expected
        assert problems == [f"{name} header: {d}" for d in reference[2]]
    else:
        # A salvaged list keeps every address the stdlib read with a domain.
        addresses = [a.address for a in found]
        assert all(a in addresses for _, a in reference[1] if "@" in a and a.split("@")[-1])


@FAST
@given(_SUBJECT_TEXT)
def test_subjects_read_as_the_stdlib_reads_them(value: str) -> None:
    reader, problems = _reader("Subject", value)
    clean = reader.first("Subject") or ""

    subject = reader.unstructured("Subject")

    header = policy.default.header_factory("subject", clean)
    assert subject == re.sub(r"[\x00\r\n]", "", str(header)).strip()
    assert problems == [
        f"Subject header: {d}"
        for d in header.defects
        if not isinstance(d, email_errors.ObsoleteHeaderDefect)
    ]


@FAST
@given(
    st.sampled_from(["Mon", "Sun", "mon"]),
    st.sampled_from(["1", "03", "31", "0", "32"]),
    st.sampled_from(["Jan", "Mar", "Dec", "mar"]),
    st.sampled_from(["2025", "1999", "0099", "9999", "25"]),
    st.sampled_from(["00:00:00", "23:59:59", "24:00:00", "10:04:60", "10:04"]),
    st.sampled_from(["+0000", "-0000", "-0500", "+0530", "+2400", "+9999", "GMT", ""]),
)
def test_dates_read_as_the_stdlib_reads_them(
    weekday: str, day: str, month: str, year: str, clock: str, zone: str
) -> None:
    value = f"{weekday}, {day} {month} {year} {clock} {zone}".strip()
    reader, problems = _reader("Date", value)

    date = reader.date()

    try:
        expected = utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        assert date is None
        assert problems == [f"unparseable Date: {value!r}"]
        return
    if expected.tzinfo is None:  # "-0000": UTC, local zone unknown
        expected = expected.replace(tzinfo=UTC)
    assert date == expected
    assert date is not None
    assert date.utcoffset() == expected.utcoffset()
    assert problems == []


def _structure(raw: bytes, parse_policy: object) -> list[tuple[object, ...]]:
    """What the MIME walk reads from each part of a message parsed with ``parse_policy``."""
    message = BytesParser(policy=parse_policy).parsebytes(raw)  # type: ignore[arg-type]
    out: list[tuple[object, ...]] = []
    for part in message.walk():
        row: list[object] = [type(d).__name__ for d in part.defects]
        for read in (
            part.get_content_type,
            part.get_content_disposition,
            part.get_filename,
            lambda p=part: p.get_param("charset"),
            lambda p=part: p.get_param("boundary"),
            lambda p=part: p.get_payload(decode=True),
        ):
            row.append(_outcome(read))
        out.append(tuple(row))
    return out


@st.composite
def _damaged_samples(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SAMPLE_BYTES)))
    head_end = max(1, data.find(b"\n\n"))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, head_end))
        data[at:at] = draw(
            st.sampled_from([b";", b'"', b"\\", b"=?", b"*", b" ", b"\xe9", b"(", b"=", b"\n "])
        )
    return bytes(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.sampled_from(SAMPLE_BYTES), _damaged_samples()))
def test_the_parse_policy_reads_parts_as_policy_default(raw: bytes) -> None:
    assert _structure(raw, MIME_POLICY) == _structure(raw, policy.default)


def _attachment_with(*headers: str) -> bytes:
    lines = "\n".join(headers)
    return (
        'From: a@clinic.example\nMessage-ID: <p@x>\nContent-Type: multipart/mixed; boundary="b"'
        f"\n\n--b\nContent-Type: text/plain\n\nsee attached\n--b\n{lines}\n\n%PDF\n--b--\n"
    ).encode()


# Where a part's name can come from, and the order the stdlib looks in.
NAMED_PARTS = [
    _attachment_with(
        'Content-Type: application/pdf; name="type.pdf"',
        'Content-Disposition: attachment; filename="disposition.pdf"',
    ),
    _attachment_with('Content-Type: application/pdf; name="type.pdf"', "Content-Disposition: x"),
    _attachment_with("Content-Type: application/pdf", "Content-Disposition: attachment; name=no"),
    _attachment_with(
        "Content-Type: application/pdf; name*=utf-8''t%C3%A9.pdf",
        "Content-Disposition: inline; filename*0=a; filename*1=b.pdf",
    ),
    _attachment_with('Content-Type: application/pdf; charset="latin-1"; charset=x'),
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.sampled_from(SAMPLE_BYTES + NAMED_PARTS), _damaged_samples()))
def test_cached_parameter_reads_match_the_message_methods(raw: bytes) -> None:
    message = BytesParser(policy=MIME_POLICY).parsebytes(raw)
    for part in message.walk():
        assert _outcome(body._get_filename, part) == _outcome(part.get_filename)
        for param, header in (("charset", "content-type"), ("filename", "content-disposition")):
            assert _outcome(body._get_param, part, param, header) == _outcome(
                part.get_param, param, body._MISSING, header
            )


def test_caching_changes_no_result() -> None:
    for raw in SAMPLE_BYTES:
        clear_caches()
        cold = parse_message(raw)
        warm = parse_message(raw)

        assert cold == warm


def test_a_long_header_value_is_read_without_the_cache() -> None:
    name = "x" * 5000 + ".pdf"
    raw = (
        "From: a@clinic.example\nMessage-ID: <long@x>\n"
        'Content-Type: multipart/mixed; boundary="b"\n\n'
        "--b\nContent-Type: text/plain\n\nsee attached\n"
        f'--b\nContent-Type: application/pdf; name="{name}"\n\n%PDF\n--b--\n'
    ).encode()

    parsed = parse_message(raw)

    assert [a.filename for a in parsed.attachments] == [name[:255]]


def test_a_walk_with_cleared_caches_reads_the_same_names() -> None:
    raw = next(r for r in SAMPLE_BYTES if b"filename" in r)
    message = BytesParser(policy=MIME_POLICY).parsebytes(raw)
    first = Walker(max_attachment_bytes=1 << 20, problems=[]).walk(message)
    clear_caches()

    second = Walker(max_attachment_bytes=1 << 20, problems=[]).walk(message)

    assert [a.filename for a in first.attachments] == [a.filename for a in second.attachments]


def test_nesting_limit_leaves_short_documents_alone() -> None:
    html = "<div>" * MAX_NESTING + "x"

    assert limit_nesting(html) == (html, False)
    assert limit_nesting("<div>" + html)[1]


def test_signature_lines_are_found_at_the_start_middle_and_end() -> None:
    assert find_signature_start("-- \nJane") == 0
    assert find_signature_start("Hi\n--\nJane") == 3
    assert find_signature_start("Hi\n-- ") == 3
    assert find_signature_start("Hi\n-- x\n---\n--  \n") is None
    assert find_signature_start("Hi\n-- \nJane", end=3) is None
