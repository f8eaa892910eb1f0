"""HTML → plain text for search, classification and the text view of HTML-only mail.

Not a renderer: it keeps the words and the paragraph structure, nothing else. Quoted blocks
(``<blockquote>``) come out prefixed with "> " like a plain-text reply, so the same quote
detection works on both kinds of mail; the start of a mail client's marked quote (Gmail's
``gmail_quote`` and friends) is reported as a character offset.

The input is first rewritten by nh3 into well-formed HTML: the stdlib parser is quadratic on
some malformed input (a run of stray "<" takes minutes), and nh3's output has none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

import nh3

from operant.mail.htmlguard import limit_nesting

_BLOCK = frozenset(
    "address article aside center dd details dialog div dl dt fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hr legend li main nav ol p pre section summary "
    "table tbody tfoot thead tr ul".split()
)
# Blocks that read as paragraphs get a blank line around them.
_PARAGRAPH = frozenset("blockquote h1 h2 h3 h4 h5 h6 p pre table ul ol dl".split())
_SKIP = frozenset("script style head title template svg math object iframe".split())
_CELL = frozenset({"td", "th"})
_SPACES = re.compile(r"[ \t\r\n\f\v\xa0]+")
# Class names and ids mail clients put on the element that holds the quoted history.
QUOTE_CLASSES = frozenset(
    {
        "gmail_quote",
        "gmail_quote_container",
        "yahoo_quoted",
        "protonmail_quote",
        "moz-cite-prefix",
        "zmail_extra",
        "outlookmessageheader",
    }
)
QUOTE_IDS = frozenset({"divrplyfwdmsg", "appendonsend", "mail-editor-reference-message-container"})


@dataclass(frozen=True)
class HtmlText:
    text: str
    quote_start: int | None


def is_quote_marker(tag: str, attrs: dict[str, str]) -> bool:
    """True for the element a mail client wraps around quoted history."""
    classes = {c.lower() for c in attrs.get("class", "").split()}
    if classes & QUOTE_CLASSES:
        return True
    return attrs.get("id", "").lower() in QUOTE_IDS


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[int, str]] = []  # (quote depth, text) of finished lines
        self.current: list[str] = []
        self.has_text = False  # the current line has more than white space
        self.current_depth = 0
        self.depth = 0  # open <blockquote> elements
        self.skip = 0  # open elements whose content is not text (script, style, head, ...)
        self.pre = 0
        self.quote_line: int | None = None

    # -- line building -------------------------------------------------------------------
    def _text(self, data: str) -> None:
        if not self.current:
            self.current_depth = self.depth
        self.current.append(data)
        self.has_text = self.has_text or bool(data.strip())

    def _newline(self) -> None:
        self.lines.append((self.current_depth, "".join(self.current).rstrip()))
        self.current = []
        self.has_text = False
        self.current_depth = self.depth

    def _break(self, blank: bool) -> None:
        """End the current line; for paragraphs also leave one blank line."""
        if self.has_text:
            self._newline()
        else:
            self.current = []
        if blank and self.lines and self.lines[-1][1]:
            self.lines.append((self.depth, ""))

    # -- parser callbacks ----------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
            return
        if self.skip:
            return
        values = {k.lower(): v or "" for k, v in attrs}
        if self.quote_line is None and is_quote_marker(tag, values):
            self._break(blank=False)
            self.quote_line = len(self.lines)
        if tag == "br":
            self._newline()
        elif tag == "blockquote":
            self._break(blank=True)
            self.depth += 1
        elif tag in _BLOCK:
            self._break(blank=tag in _PARAGRAPH)
            if tag == "li":
                self._text("- ")
            elif tag == "pre":
                self.pre += 1
        elif tag in _CELL and self.has_text:
            self._text(" ")
        elif tag == "img":
            alt = _SPACES.sub(" ", values.get("alt", "")).strip()
            if alt:
                self._text(f"[{alt}]")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag == "blockquote":
            self._break(blank=True)
            self.depth = max(0, self.depth - 1)
        elif tag in _BLOCK:
            self._break(blank=tag in _PARAGRAPH)
            if tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.pre:
            first, *rest = data.replace("\r\n", "\n").split("\n")
            self._text(first.replace("\xa0", " "))
            for line in rest:
                self._newline()
                self._text(line.replace("\xa0", " "))
            return
        text = _SPACES.sub(" ", data)
        if not self.has_text:
            text = text.lstrip()
        if text:
            self._text(text)

    # -- result --------------------------------------------------------------------------
    def result(self) -> HtmlText:
        """Join the lines: quote prefixes added, runs of blank lines cut to one, ends trimmed."""
        if self.has_text:
            self._newline()
        out: list[tuple[bool, str]] = []  # (is blank, rendered line)
        offset = 0
        quote_start: int | None = None
        for index, (depth, line) in enumerate(self.lines):
            if index == self.quote_line:
                quote_start = offset
            blank = not line.strip()
            if blank and (not out or out[-1][0]):
                continue
            rendered = ">" * depth if blank else "> " * depth + line
            out.append((blank, rendered))
            offset += len(rendered) + 1
        while out and out[-1][0]:
            out.pop()
        text = "\n".join(line for _, line in out)
        if quote_start is not None and quote_start >= len(text):
            quote_start = None
        return HtmlText(text=text, quote_start=quote_start)


_NORMALISER = nh3.Cleaner(
    tags=set(_BLOCK | _CELL | {"blockquote", "br", "img"}),
    clean_content_tags=set(_SKIP),
    attributes={"*": {"class", "id"}, "img": {"alt"}},
    link_rel=None,
    strip_comments=True,
)


def html_to_text(html: str) -> HtmlText:
    """Plain text of an HTML document, and where its client-marked quote begins (or None)."""
    normalised = _NORMALISER.clean(limit_nesting(html)[0])
    parser = _Extractor()
    try:
        parser.feed(normalised)
        parser.close()
    except Exception:  # noqa: BLE001 - html.parser is lenient; keep what was read so far
        pass
    return parser.result()
