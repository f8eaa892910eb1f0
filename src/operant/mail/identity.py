"""Which stored message is this one? The content identity behind deduplication.

A Message-ID alone does not name a message: mailing-list software, ticket systems' notifiers
and broken clients send different mails under one Message-ID, and deduplicating on it dropped
them. What a redelivery of the same mail keeps is what its author wrote: the Message-ID, From,
Date and Subject headers and the body. What it may change is the transport's: headers the
receiving servers add (Received, Return-Path, Delivered-To, X-Original-To,
Authentication-Results, ARC-*, X-Spam-*), and line endings (CRLF over SMTP and IMAP, LF in a
file or from a provider). So the identity is a digest of those four header values as written
and of the body with line endings and trailing white space normalised.

It is read straight from the raw bytes, not from the parse: a later, better parser must map
a stored message to the same identity, and no header repair may change what counts as "the
same".
"""

from __future__ import annotations

import hashlib
import re

# One of the headers an author's client writes once and no relay touches (Message-ID, From,
# Date, Subject), with its continuation lines: a header starts a line, a continuation line
# starts with white space. Read by one scan of the block rather than line by line: this runs
# on every message received.
_AUTHOR_HEADER = re.compile(
    rb"^(message-id|from|date|subject)[ \t]*:(.*(?:\r?\n[ \t].*)*)", re.IGNORECASE | re.MULTILINE
)
_FALLBACK_DOMAIN = "operant.invalid"


def _author_headers(block: bytes) -> list[bytes]:
    """The author's headers in the block as ``name:value``, unfolded, white space collapsed,
    in order of appearance."""
    return [
        name.lower() + b":" + b" ".join(value.split())
        for name, value in _AUTHOR_HEADER.findall(block)
    ]


def _normalised_body(body: bytes) -> bytes:
    """The body with LF line endings and no trailing white space, per line or at the end.
    (Line by line is several times faster than a regular expression over the body.)"""
    return b"\n".join([line.rstrip(b" \t\r") for line in body.split(b"\n")]).rstrip()


def _split(raw: bytes) -> tuple[bytes, bytes]:
    """The header block and the body, split at the first empty line (LF or CRLF)."""
    crlf = raw.find(b"\n\r\n")
    # Only before that: most mail is CRLF, and a search for LF LF would read all of it.
    lf = raw.find(b"\n\n", 0, crlf if crlf >= 0 else len(raw))
    if lf >= 0:
        return raw[:lf], raw[lf + 2 :]
    if crlf >= 0:
        return raw[:crlf], raw[crlf + 3 :]
    return raw, b""


def content_identity(raw: bytes) -> str:
    """The message's identity: equal for redeliveries of one mail, different for two mails
    that share only a Message-ID. A hex SHA-256 digest."""
    raw = bytes(raw).lstrip(b"\r\n")
    block, body = _split(raw)
    headers = _author_headers(block)
    digest = hashlib.sha256()
    if not headers:
        # Nothing an author wrote to tell it by (junk, a fragment): all of it counts.
        digest.update(b"no author headers\n")
        digest.update(_normalised_body(raw))
        return digest.hexdigest()
    for header in headers:
        digest.update(header + b"\n")
    digest.update(b"\n")
    digest.update(_normalised_body(body))
    return digest.hexdigest()


def fallback_message_id(identity: str) -> str:
    """The Message-ID a message without one is stored under: from its content identity, so a
    redelivered copy gets the same one."""
    return f"sha256-{identity}@{_FALLBACK_DOMAIN}"
