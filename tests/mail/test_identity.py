"""The content identity: one per mail, whatever the transport did to it (operant.mail.identity)."""

from __future__ import annotations

import pytest

from operant.mail.identity import content_identity, fallback_message_id
from tests.mail.helpers import build, with_header

TRANSPORT_HEADERS = [
    ("Received", "from mx1.example (mx1.example [192.0.2.1]) by mx2.example; Mon, 3 Mar 2025"),
    ("Return-Path", "<jane@acme-dental.example>"),
    ("Delivered-To", "support@operant.test"),
    ("X-Original-To", "support@operant.test"),
    ("Authentication-Results", "mx2.example; dkim=pass header.d=acme-dental.example"),
    ("ARC-Seal", "i=1; a=rsa-sha256; cv=none; d=mx.example; s=arc; b=abc"),
    ("X-Spam-Status", "No, score=-0.1"),
]


def test_transport_headers_do_not_change_it() -> None:
    raw = build()
    relayed = raw
    for name, value in TRANSPORT_HEADERS:
        relayed = with_header(relayed, name, value)

    assert content_identity(relayed) == content_identity(raw)


def test_line_endings_and_trailing_white_space_do_not_change_it() -> None:
    raw = build("Line one  \nLine two\n\n\n")
    crlf = raw.replace(b"\n", b"\r\n")
    trimmed = raw.replace(b"Line one  \n", b"Line one\n").rstrip(b"\n")

    assert content_identity(crlf) == content_identity(raw)
    assert content_identity(trimmed) == content_identity(raw)


def test_a_refolded_header_is_the_same_header() -> None:
    raw = with_header(build(), "Subject", "A long subject that a relay might fold")
    folded = raw.replace(b"that a relay", b"that a\r\n relay")

    assert content_identity(folded) == content_identity(raw)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Message-ID", "<other@acme-dental.example>"),
        ("From", "Bob <bob@acme-dental.example>"),
        ("Date", "Mon, 03 Mar 2025 10:04:06 -0500"),
        ("Subject", "Reminders stopped again"),
    ],
)
def test_each_author_header_changes_it(name: str, value: str) -> None:
    assert content_identity(with_header(build(), name, value)) != content_identity(build())


def test_another_body_under_the_same_message_id_is_another_mail() -> None:
    assert content_identity(build("One text.\n")) != content_identity(build("Another text.\n"))


def test_a_header_block_without_a_body_is_a_message_with_an_empty_body() -> None:
    assert content_identity(b"Subject: x") == content_identity(b"Subject: x\r\n\r\n")
    assert content_identity(b"Subject: x") != content_identity(b"Subject: y")


def test_mail_without_any_author_header_is_told_apart_by_all_its_bytes() -> None:
    junk = [b"", b"just text, no header block", b"other text", b"X-Foo: 1\n\nbody", b"X-Foo: 2"]

    assert len({content_identity(raw) for raw in junk}) == len(junk)
    assert content_identity(b"X-Foo: 1\r\n\r\nbody\r\n") == content_identity(junk[3])


def test_the_fallback_message_id_follows_the_content() -> None:
    raw = with_header(build(), "Message-ID", None)
    identity = content_identity(raw)

    assert fallback_message_id(identity) == f"sha256-{identity}@operant.invalid"
    relayed = with_header(raw, "Received", "from mx.example by mx2.example")
    assert fallback_message_id(content_identity(relayed)) == fallback_message_id(identity)


def test_an_mbox_separator_line_is_no_header() -> None:
    raw = build()

    assert content_identity(b"From jane@acme-dental.example Mon Mar  3 10:04:05 2025\n" + raw) == (
        content_identity(raw)
    )


def test_headers_that_only_end_like_an_author_header_do_not_count() -> None:
    raw = build()

    assert content_identity(with_header(raw, "X-Original-From", "someone@else.example")) == (
        content_identity(raw)
    )
    assert content_identity(with_header(raw, "Resent-Date", "Tue, 04 Mar 2025 09:00:00 +0000")) == (
        content_identity(raw)
    )
