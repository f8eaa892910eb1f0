"""uuencoded files: parts sent with ``Content-Transfer-Encoding: x-uuencode`` and "begin 644
name" blocks pasted into a plain-text body, as older clients and gateways still send them.

Decoding is ``binascii.a2b_uu`` line by line (the ``uu`` module is deprecated).
"""

from __future__ import annotations

import binascii
import contextlib
import re
from dataclasses import dataclass

__all__ = ["UU_ENCODINGS", "UUFile", "decode_part", "take_blocks"]

# The transfer-encoding labels that mean uuencoding (the ones the stdlib accepts).
UU_ENCODINGS = frozenset({"x-uuencode", "uuencode", "x-uue", "uue"})

_BEGIN = re.compile(r"^begin +[0-7]{3,4} +(\S[^\r\n]*?)[ \t]*\r?$", re.MULTILINE)
_END = re.compile(r"^end[ \t]*\r?$", re.MULTILINE)
# Lines of uuencoding: their characters are all in " " .. "`", as every encoder writes them.
# A begin or end line is never one, so the runs this finds after two begin lines never overlap.
_UU_RUN = re.compile(r"(?:[ -`]*\r?\n)*")


@dataclass(frozen=True)
class UUFile:
    """One decoded file: the name on its begin line and its bytes."""

    name: str
    data: bytes


def _decode_lines(lines: list[str]) -> bytes:
    chunks: list[bytes] = []
    for line in lines:
        if not line:
            continue
        try:
            chunks.append(binascii.a2b_uu(line))
        except binascii.Error:
            # Some encoders write past a line's stated length: keep the length character and
            # the characters it accounts for (4 per 3 bytes), as decoders always have.
            length = (ord(line[0]) - 32) & 63
            with contextlib.suppress(binascii.Error):
                chunks.append(binascii.a2b_uu(line[: 1 + (length * 4 + 2) // 3]))
    return b"".join(chunks)


def decode_part(payload: str) -> UUFile | None:
    """The first file in the payload of a part sent uuencoded, or None without a complete
    block."""
    files = take_blocks(payload)[1]
    return files[0] if files else None


def take_blocks(text: str) -> tuple[str, list[UUFile]]:
    """``text`` without the uuencoded files in it, and those files.

    Only complete blocks (begin line, uuencoded lines, end line) are taken; anything else
    stays text. Linear time on any input: the uuencoded runs never overlap, and one end line
    found serves every begin line above it.
    """
    files: list[UUFile] = []
    kept: list[str] = []
    position = 0
    end: re.Match[str] | None = None
    for begin in _BEGIN.finditer(text):
        if begin.start() < position:
            continue  # inside a block already taken
        if end is None or end.start() < begin.end():
            end = _END.search(text, begin.end())
            if end is None:
                break  # no begin line below has an end line either
        lines_start = begin.end() + 1  # past the begin line's line break
        if _UU_RUN.match(text, lines_start).end() != end.start():  # type: ignore[union-attr]
            continue  # a line that is not uuencoding before the end line: plain text
        data = _decode_lines(text[lines_start : end.start()].splitlines())
        files.append(UUFile(name=begin.group(1), data=data))
        kept.append(text[position : begin.start()])
        position = end.end() + (text[end.end() : end.end() + 1] == "\n")  # with its line break
    if not files:
        return text, []
    kept.append(text[position:])
    return "".join(kept), files
