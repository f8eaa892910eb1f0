"""Content-Transfer-Encoding values as senders write them.

The stdlib decodes a part only when the header reads exactly ``quoted-printable`` or
``base64`` (in any case). Senders also write ``Quoted-Printable `` with a trailing blank,
``"quoted-printable"`` in quotes, ``quoted-printable; x`` with junk after it, or
``base-64``; such a part would otherwise reach the reader as raw ``=C3=BC`` codes or base64.
"""

from __future__ import annotations

import re

QUOTED_PRINTABLE = "quoted-printable"
BASE64 = "base64"
# What the stdlib itself decodes (compared after lower-casing, as it does).
EXACT = frozenset({QUOTED_PRINTABLE, BASE64, "x-uuencode", "uuencode", "uue", "x-uue"})
# The encodings that need no decoding, as nearly every other part writes them.
_IDENTITY = frozenset({"7bit", "8bit", "binary"})
# The first word of the value, past blanks, quotes and other punctuation.
_FIRST_WORD = re.compile(r"[\s\"'<(]*([A-Za-z0-9-]+)")
_SPELLINGS = {
    "quoted-printable": QUOTED_PRINTABLE,
    "quotedprintable": QUOTED_PRINTABLE,
    "base64": BASE64,
    "base-64": BASE64,
}


def repaired(value: str) -> str | None:
    """``quoted-printable`` or ``base64`` when ``value`` means one of them but the stdlib
    would not decode it; None otherwise (also when the stdlib reads it right)."""
    lowered = value.lower()
    if lowered in EXACT or lowered in _IDENTITY:
        return None
    match = _FIRST_WORD.match(value)
    if match is None:
        return None
    return _SPELLINGS.get(match.group(1).lower())
