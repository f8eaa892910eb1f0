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

# The headers an author's client writes once and no relay touches.
_AUTHOR_HEADERS = frozenset({b"message-id", b"from", b"date", b"subject"})
# The end of the header block: the first empty line.
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
_TRAILING_BLANKS = re.compile(rb"[ \t]+(?=\n)")
_FALLBACK_DOMAIN = "operant.invalid"


def _author_headers(block: bytes) -> list[bytes]:
    """The author's headers in the block as ``name:value``, unfolded, white space collapsed,
    in order of appearance. Lines of other headers, and lines that are no header, are skipped."""
    found: list[list[bytes]] = []
    current: list[bytes] | None = None
    for line in _LINE_BREAK.split(block):
        if line[:1] in (b" ", b"\t"):
            # A continuation line belongs to the header above it.
            if current is not None:
                current.append(line)
            continue
        name, colon, value = line.partition(b":")
        name = name.strip().lower()
        current = [name + b":", value] if colon and name in _AUTHOR_HEADERS else None
        if current is not None:
            found.append(current)
    return [b" ".join(b" ".join(parts).split()) for parts in found]


def _normalised_body(body: bytes) -> bytes:
    """The body with LF line endings and no trailing white space, per line or at the end."""
    body = body.replace(b"\r\n", b"\n")
    return _TRAILING_BLANKS.sub(b"", body).rstrip()


def content_identity(raw: bytes) -> str:
    """The message's identity: equal for redeliveries of one mail, different for two mails
    that share only a Message-ID. A hex SHA-256 digest."""
    raw = bytes(raw).lstrip(b"\r\n")
    split = _BLANK_LINE.search(raw)
    block, body = (raw[: split.start()], raw[split.end() :]) if split else (raw, b"")
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
