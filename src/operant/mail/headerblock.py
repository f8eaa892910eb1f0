"""Repairing a header block that the stdlib parser would cut short.

The stdlib parser ends the header block at the first line that is neither a header nor an
indented continuation, and reads everything from there on as the body. Two kinds of broken
mail meet that rule and lose their sender, subject and MIME structure with it:

- a header folded onto a line without leading white space (a long To: list or Subject: that a
  client or gateway wrapped carelessly), followed by the rest of the headers;
- a line of text pasted above the headers ("---- Original email message ----").

``repair_header_block`` rewrites only those lines, and only when the lines after them are
plainly still headers. It is called only for mail the stdlib reported as broken
(``MissingHeaderBodySeparatorDefect``), so well-formed mail never pays for it.
"""

from __future__ import annotations

import re

__all__ = ["repair_header_block"]

# What the stdlib parser takes as a header line (email.feedparser's headerRE): an mbox "From "
# line, a name of printable characters and a colon, or a continuation.
_HEADER_LINE = re.compile(rb"From |[\x21-\x39\x3b-\x7e]*:|[\t ]")
_FIELD = re.compile(rb"([\x21-\x39\x3b-\x7e]+):")
# Header names that show a line is a header and not the first line of a body; only names that
# real mail carries, so that a body starting with "Note:" is never read as a header.
_KNOWN = frozenset(
    "from to cc bcc subject date message-id received return-path mime-version content-type "
    "content-transfer-encoding content-disposition content-language content-id sender reply-to "
    "in-reply-to references delivered-to envelope-to user-agent importance priority "
    "organization thread-topic thread-index precedence auto-submitted dkim-signature "
    "authentication-results received-spf accept-language".split()
)
_KNOWN_PREFIXES = (b"x-", b"list-", b"arc-", b"resent-")
# Fields a message has at most once (RFC 5322 3.6): meeting one again after a broken line means
# a second message (a forwarded one pasted without a blank line), not more of this header block.
_SINGLE = frozenset(
    b"from sender reply-to to cc bcc subject date message-id in-reply-to references".split()
)
# Lines one broken fold may span, and text lines tolerated above the headers.
_MAX_BROKEN_LINES = 3
_MAX_LEADING_LINES = 3
# Fields a pasted-over message must show before its leading text is dropped.
_MIN_LEADING_FIELDS = 2
# Header blocks are a few kilobytes; past this much, the rest is left as it is.
_SCAN_BYTES = 256 * 1024


def _blank(line: bytes) -> bool:
    return not line.strip(b"\r\n")


def _field_name(line: bytes) -> bytes | None:
    """The lower-case name of a field line that names a header real mail carries, or None."""
    match = _FIELD.match(line)
    if match is None:
        return None
    name = match.group(1).lower()
    return name if name.decode("ascii") in _KNOWN or name.startswith(_KNOWN_PREFIXES) else None


def _broken_run(lines: list[bytes], start: int) -> int:
    """The index after the non-header lines that begin at ``start`` (at most a few)."""
    end = start
    while (
        end < len(lines)
        and end - start < _MAX_BROKEN_LINES
        and not _blank(lines[end])
        and not _HEADER_LINE.match(lines[end])
    ):
        end += 1
    return end


def _leading_text(lines: list[bytes]) -> int:
    """How many lines of text stand above a header block (0: none, or not clearly headers).

    Blank lines between the text and the headers go with the text.
    """
    skip = 0
    while skip < len(lines) and skip < _MAX_LEADING_LINES and not _HEADER_LINE.match(lines[skip]):
        skip += 1
    while skip < len(lines) and _blank(lines[skip]):
        skip += 1
    known = 0
    for line in lines[skip:]:
        if _blank(line) or not _HEADER_LINE.match(line):
            break
        known += _field_name(line) is not None
    return skip if known >= _MIN_LEADING_FIELDS else 0


def repair_header_block(data: bytes) -> tuple[bytes, list[str]] | None:
    """``data`` with its header block mended, and a note per repair; None when nothing needed
    (or dared) mending.

    1. Text lines above the headers are dropped when at least two known headers follow.
    2. A run of non-header lines inside the header block becomes a continuation of the header
       above it (one space of indentation), when a known header follows that this message
       has not had yet. The first run that fails this test is left to the stdlib, which ends
       the header block there as before.
    """
    head = data[:_SCAN_BYTES]
    lines = head.splitlines(keepends=True)
    if len(head) < len(data) and lines:
        lines.pop()  # possibly cut in the middle
    notes: list[str] = []
    start = _leading_text(lines)
    for line in lines[:start]:
        if not _blank(line):
            notes.append(f"text before the headers skipped: {_shown(line)}")
    out: list[bytes] = []
    seen: set[bytes] = set()
    current = ""  # the name of the header the next continuation belongs to
    index = start
    while index < len(lines) and not _blank(lines[index]):
        line = lines[index]
        if _HEADER_LINE.match(line):
            name = _FIELD.match(line)
            if name is not None:
                seen.add(name.group(1).lower())
                current = name.group(1).decode("ascii")
            out.append(line)
            index += 1
            continue
        end = _broken_run(lines, index)
        following = _field_name(lines[end]) if end < len(lines) else None
        if not current or following is None or (following in _SINGLE and following in seen):
            break
        for broken in lines[index:end]:
            notes.append(f"{current} header: line without indentation read as a continuation")
            out.append(b" " + broken)
        index = end
    if not notes:
        return None
    consumed = sum(len(line) for line in lines[:index])
    return b"".join(out) + data[consumed:], notes


def _shown(line: bytes) -> str:
    """A line as it may appear in a problem note: decoded, trimmed, quoted."""
    return repr(line.strip().decode("utf-8", "replace")[:80])
