"""Where the quoted history of a reply begins in its plain text.

The text is never cut: the index lets the console fold the history and lets threading look
at what the client wrote *now*. Wrongly folding a client's words hides them, while missing a
quote only shows a little more, so every rule here errs towards "no quote found".
"""

from __future__ import annotations

import re

_MAX_ATTRIBUTION = 400

# "On <date>, <name> wrote:" and its translations. A digit (the date) is required so that a
# sentence such as "On Monday I wrote:" is not taken for an attribution line.
_INTRO = re.compile(r"(?:On|Le|El|Em|Il|Am|Op|Den|På)\s", re.IGNORECASE)
_ATTRIBUTIONS = (
    re.compile(r"^On\s.*\d.*\bwrote\s?:$", re.IGNORECASE),
    re.compile(
        r"^(?:Le|El|Em|Il)\s.*\d.*(?:a écrit|escribió|escreveu|ha scritto)\s?:$", re.IGNORECASE
    ),
    # German, Dutch and Scandinavian clients put the name after the verb.
    re.compile(r"^(?:Am|Op|Den|På)\s.*\d.*\b(?:schrieb|schreef|skrev)\b.*:$", re.IGNORECASE),
)
_ORIGINAL_MESSAGE = re.compile(
    r"^-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original"
    r"|Messaggio originale|Oorspronkelijk bericht|Mensagem original)\s*-{2,}$",
    re.IGNORECASE,
)
# Outlook's header block: From: then Sent:/Date: and To:/Subject: within the next few lines.
_BLOCK_FROM = re.compile(r"^\*?(?:From|Von|De|Van|Da|Från)\s?:\*?\s*\S", re.IGNORECASE)
_BLOCK_SENT = re.compile(
    r"^\*?(?:Sent|Date|Gesendet|Datum|Envoyé|Enviado|Verzonden|Inviato|Skickat)\s?:",
    re.IGNORECASE,
)
_BLOCK_OTHER = re.compile(
    r"^\*?(?:To|Cc|Subject|An|Betreff|À|Objet|Para|Asunto|Aan|Onderwerp|A|Oggetto|Till|Ämne)"
    r"\s?:",
    re.IGNORECASE,
)
# What a stripped line must start with for any of the checks below to fire: the attribution
# intro, the "--" of an original-message separator, or the From: of a header block. Most lines
# start otherwise, and one failed match is cheaper than three.
_CANDIDATE = re.compile(
    r"(?:On|Le|El|Em|Il|Am|Op|Den|På)\s|--|\*?(?:From|Von|De|Van|Da|Från)\s?:", re.IGNORECASE
)
_RULE = re.compile(r"^[_\-=]{5,}$")
_FORWARD = re.compile(r"forwarded message|begin forwarded message|weitergeleitete", re.IGNORECASE)
# A line that is exactly "--" or "-- ": the first line, or a later one after its "\n" (a
# pattern that starts with a literal, so the regex engine can scan for it quickly).
_SIGNATURE_FIRST = re.compile(r"-- ?(?:\n|\Z)")
_SIGNATURE_LATER = re.compile(r"\n-- ?(?=\n|\Z)")


def _quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _next_nonblank(lines: list[str], start: int, limit: int) -> list[int]:
    found = [i for i in range(start, min(len(lines), start + limit * 3)) if lines[i].strip()]
    return found[:limit]


def _attribution_end(lines: list[str], i: int) -> int | None:
    """Index of the last line of an attribution starting at line i (clients wrap long ones)."""
    line = lines[i].strip()
    if not _INTRO.match(line) or len(line) > _MAX_ATTRIBUTION:
        return None
    if any(p.match(line) for p in _ATTRIBUTIONS):
        return i
    if i + 1 < len(lines) and not _quoted(lines[i + 1]):
        joined = f"{line} {lines[i + 1].strip()}"
        if len(joined) <= _MAX_ATTRIBUTION and any(p.match(joined) for p in _ATTRIBUTIONS):
            return i + 1
    return None


def _header_block(lines: list[str], i: int) -> bool:
    if not _BLOCK_FROM.match(lines[i].strip()):
        return False
    following = [lines[j].strip() for j in _next_nonblank(lines, i + 1, 5)]
    return any(_BLOCK_SENT.match(f) for f in following) and any(
        _BLOCK_OTHER.match(f) for f in following
    )


def _with_rule_above(lines: list[str], i: int) -> int:
    """Outlook draws a line above its header block; the history starts at the line."""
    j = i - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    return j if j >= 0 and _RULE.match(lines[j].strip()) else i


def _after_forward_marker(lines: list[str], i: int) -> bool:
    j = i - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    return j >= 0 and bool(_FORWARD.search(lines[j]))


def quote_start_line(lines: list[str]) -> int | None:
    """Index of the first line of the quoted history, or None.

    1. A block of "> " lines counts only when nothing unquoted follows it: interleaved and
       bottom-posted replies have the client's words after the quotes.
    2. An attribution line ("On … wrote:") counts when it is followed by unquoted history
       (Outlook, HTML-derived text) or by a trailing "> " block.
    3. Outlook's "-----Original Message-----" and its From:/Sent:/To: header block count as
       they stand, but a forwarded message's header block does not: forwarding is content.
    """
    last_unquoted = len(lines) - 1
    while last_unquoted >= 0 and (
        not lines[last_unquoted].strip() or _quoted(lines[last_unquoted])
    ):
        last_unquoted -= 1
    for i, line in enumerate(lines):
        if _quoted(line):
            if i > last_unquoted:
                return i
            continue
        if not _CANDIDATE.match(line.strip()):
            continue
        end = _attribution_end(lines, i)
        if end is not None:
            after = _next_nonblank(lines, end + 1, 1)
            if not after or not _quoted(lines[after[0]]) or end >= last_unquoted:
                return i
        if _ORIGINAL_MESSAGE.match(line.strip()):
            return i
        if _header_block(lines, i) and not _after_forward_marker(lines, i):
            return _with_rule_above(lines, i)
    return None


def find_quote_start(text: str, *, hint: int | None = None) -> int | None:
    """Character index in ``text`` where quoted history begins, or None.

    ``hint`` is an index already known to start a quote (a mail client's marked quote in the
    HTML the text came from); the earlier of the two wins.
    """
    lines = text.split("\n")
    found = quote_start_line(lines)
    # Where line ``found`` starts: the lines before it and their newlines.
    index = sum(map(len, lines[:found])) + found if found is not None else None
    candidates = [c for c in (index, hint) if c is not None and 0 <= c < len(text)]
    return min(candidates) if candidates else None


def find_signature_start(text: str, *, end: int | None = None) -> int | None:
    """Index of the first "-- " signature delimiter line before ``end`` (the quote), or None."""
    if _SIGNATURE_FIRST.match(text):
        start: int | None = 0
    else:
        later = _SIGNATURE_LATER.search(text)
        start = later.start() + 1 if later else None
    if start is None or (end is not None and start >= end):
        return None
    return start
