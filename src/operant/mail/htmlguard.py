"""Cutting pathological nesting out of HTML before a real HTML parser sees it.

The HTML5 tree builder (html5ever, inside nh3) spends time proportional to the depth of open
elements on every tag, so a mail of 100,000 nested ``<div>`` takes minutes instead of
milliseconds: a cheap way to stall the mail pipeline. Real mail rarely nests more than a
few dozen levels, so start tags past ``MAX_NESTING`` open elements are dropped, along with as
many end tags. This is a linear scan with a forgiving tokenizer, not a parser: it only has
to bound the depth, and nh3 still sanitizes everything afterwards.
"""

from __future__ import annotations

import re

MAX_NESTING = 200

# "[^<>]*" rather than "[^>]*": a tag that never closes must not make every later match
# scan to the end of the document.
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^<>]*>?")
# Elements without content, and elements the HTML5 parser closes by itself when the next
# sibling starts: neither makes the tree deeper.
_FLAT = frozenset(
    "area base br col embed hr img input link meta param source track wbr "
    "p li dt dd tr td th option optgroup thead tbody tfoot colgroup caption rb rt rtc rp".split()
)


def limit_nesting(html: str, *, max_depth: int = MAX_NESTING) -> tuple[str, bool]:
    """``html`` with start tags beyond ``max_depth`` open elements removed; True if any were."""
    # A tag is only dropped once ``max_depth`` start tags are open, so a document with no
    # more than ``max_depth`` "<" at all comes back as it is: nearly every mail, and the
    # same HTML is bounded up to three times per message (parse, text, sanitize).
    if html.count("<") <= max_depth:
        return html, False
    depth = 0
    excess = 0

    def visit(match: re.Match[str]) -> str:
        nonlocal depth, excess
        name = match.group(2).lower()
        if name in _FLAT or match.group(0).endswith("/>"):
            return match.group(0)
        if match.group(1):  # an end tag
            if excess:
                excess -= 1
                return ""
            depth = max(0, depth - 1)
            return match.group(0)
        if depth >= max_depth:
            excess += 1
            return ""
        depth += 1
        return match.group(0)

    limited = _TAG.sub(visit, html)
    return limited, len(limited) != len(html)
