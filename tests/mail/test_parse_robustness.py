"""Bad input never raises: unreadable input is fatal, everything else is parsed as far as it goes.

The fuzz tests feed random bytes and damaged copies of the sample messages and check that
``parse_message`` returns the declared types, with text any database can store.
"""

from __future__ import annotations

import json
import random
from dataclasses import fields
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from operant.mail.body import Attachment
from operant.mail.parse import Address, ParsedMessage, parse_message
from tests.mail.helpers import SAMPLES

SAMPLE_BYTES = [path.read_bytes() for path in sorted(SAMPLES.glob("*.eml"))]


def _storable(value: str) -> None:
    value.encode("utf-8")  # raises on lone surrogates, which no database column accepts
    assert "\x00" not in value


def assert_well_formed(parsed: ParsedMessage) -> None:
    """Every field has its declared type, and the JSON form can be written."""
    assert isinstance(parsed, ParsedMessage)
    for name in ("message_id", "in_reply_to", "auto_reply_reason", "bounced_message_id"):
        value = getattr(parsed, name)
        assert value is None or isinstance(value, str)
        if value is not None:
            _storable(value)
    for name in ("references", "bounce_recipients", "problems"):
        values = getattr(parsed, name)
        assert isinstance(values, list)
        for value in values:
            assert isinstance(value, str)
            _storable(value)
    for address in [parsed.from_, *parsed.to, *parsed.cc, *parsed.reply_to]:
        if address is not None:
            assert isinstance(address, Address)
            _storable(address.address)
            _storable(address.name)
    assert isinstance(parsed.subject, str)
    _storable(parsed.subject)
    assert parsed.date is None or (isinstance(parsed.date, datetime) and parsed.date.tzinfo)
    assert isinstance(parsed.text, str)
    _storable(parsed.text)
    assert parsed.html is None or isinstance(parsed.html, str)
    for attachment in parsed.attachments:
        assert isinstance(attachment, Attachment)
        assert attachment.filename is None or isinstance(attachment.filename, str)
        _storable(attachment.content_type)
        if attachment.filename is not None:
            _storable(attachment.filename)
        assert isinstance(attachment.size, int)
        assert attachment.content is None or isinstance(attachment.content, bytes)
    for flag in ("auto_reply", "bounce", "loop_header", "fatal"):
        assert isinstance(getattr(parsed, flag), bool)
    for index in (parsed.quoted_text_start, parsed.signature_start):
        assert index is None or 0 <= index <= len(parsed.text)
    assert parsed.recipients_count == len(parsed.to) + len(parsed.cc)
    assert not parsed.fatal or parsed.problems
    json.dumps(parsed.as_json())


def test_it_declares_every_field_it_fills() -> None:
    names = {f.name for f in fields(ParsedMessage)}

    assert {"message_id", "from_", "text", "html", "problems", "fatal"} <= names


@pytest.mark.parametrize("raw", [b"", b"   \r\n\r\n  ", b"\n"])
def test_it_marks_empty_input_fatal(raw: bytes) -> None:
    parsed = parse_message(raw)

    assert parsed.fatal
    assert parsed.problems == ["empty message"]
    assert_well_formed(parsed)


def test_it_marks_random_binary_fatal() -> None:
    raw = random.Random(7).randbytes(64 * 1024)

    parsed = parse_message(raw)

    assert parsed.fatal
    assert parsed.text == ""
    assert_well_formed(parsed)


@pytest.mark.parametrize(
    "raw",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b'{"event": "sms.sent"}\n', b"just a note\n"],
)
def test_it_marks_input_without_mail_headers_fatal(raw: bytes) -> None:
    parsed = parse_message(raw)

    assert parsed.fatal
    assert any("no mail headers" in p for p in parsed.problems)


@pytest.mark.parametrize("raw", SAMPLE_BYTES, ids=[p.name for p in sorted(SAMPLES.glob("*.eml"))])
def test_every_sample_parses_well_formed(raw: bytes) -> None:
    parsed = parse_message(raw)

    assert not parsed.fatal
    assert_well_formed(parsed)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_it_never_raises_on_random_bytes(raw: bytes) -> None:
    assert_well_formed(parse_message(raw))


@st.composite
def damaged_samples(draw: st.DrawFn) -> bytes:
    """A sample with a few bytes flipped, cut out, duplicated or inserted."""
    data = bytearray(draw(st.sampled_from(SAMPLE_BYTES)))
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        at = draw(st.integers(min_value=0, max_value=max(0, len(data) - 1)))
        kind = draw(st.sampled_from(["flip", "cut", "insert", "duplicate", "truncate"]))
        if kind == "flip" and data:
            data[at] = draw(st.integers(min_value=0, max_value=255))
        elif kind == "cut":
            del data[at : at + draw(st.integers(min_value=1, max_value=64))]
        elif kind == "insert":
            data[at:at] = draw(
                st.sampled_from(
                    [b"\n", b"\r\n\r\n", b":", b"=?utf-8?B?", b"--", b"<", b"\xff\xfe", b"\x00"]
                )
                | st.binary(max_size=16)
            )
        elif kind == "duplicate":
            data[at:at] = data[at : at + draw(st.integers(min_value=1, max_value=256))]
        else:
            del data[at:]
    return bytes(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_samples())
def test_it_never_raises_on_damaged_samples(raw: bytes) -> None:
    assert_well_formed(parse_message(raw))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "From",
                "To",
                "Cc",
                "Subject",
                "Date",
                "Message-ID",
                "References",
                "In-Reply-To",
                "Content-Type",
                "Content-Transfer-Encoding",
                "Content-Disposition",
                "Precedence",
            ]
        ),
        st.binary(max_size=80).filter(lambda b: b"\n" not in b and b"\r" not in b),
    ),
    st.binary(max_size=512),
)
def test_it_never_raises_on_hostile_header_values(headers: dict[str, bytes], body: bytes) -> None:
    raw = b"".join(name.encode() + b": " + value + b"\n" for name, value in headers.items())
    assert_well_formed(parse_message(b"From: a@b.example\n" + raw + b"\n" + body))
