"""Sanitizing inbound HTML with nh3 before anyone's browser sees it.

Agents open client mail in the console, so the HTML is hostile until proven otherwise: no
scripts, styles, frames, forms or event handlers, links only to web and mail addresses, and no
remote images — a remote image tells the sender when (and from where) the agent read the mail.
Images embedded in the message itself (``cid:`` parts, ``data:`` rasters) are harmless and kept.
"""

from __future__ import annotations

import nh3

from operant.mail.htmlguard import limit_nesting
from operant.mail.htmltext import QUOTE_CLASSES, QUOTE_IDS

QUOTED_CLASS = "quoted"

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "center", "cite", "code", "col",
    "colgroup", "dd", "del", "div", "dl", "dt", "em", "font", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small",
    "span", "strike", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "tt", "u", "ul",
}  # fmt: skip
# Their text is noise or code, not content: dropped with the tag.
_CLEAN_CONTENT = {
    "script",
    "style",
    "title",
    "template",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "noembed",
    "noframes",
    "frameset",
    "applet",
}
_ATTRIBUTES = {
    "*": {"title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align", "valign"},
    "th": {"colspan", "rowspan", "align", "valign"},
    "table": {"border", "cellpadding", "cellspacing"},
    "p": {"align"},
    "div": {"align", "class", "id"},
    "blockquote": {"type"},
    "font": {"color"},
    "ol": {"start", "type"},
}
_KEPT_CLASSES = QUOTE_CLASSES | {QUOTED_CLASS}
_LINK_SCHEMES = ("http://", "https://", "mailto:", "tel:")
# Inline rasters only: an SVG data URI is a document and may carry script.
_IMAGE_SOURCES = ("cid:", "data:image/png", "data:image/gif", "data:image/jpeg", "data:image/webp")


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    """1. Links: web, mail and phone only. 2. Images: embedded only (no tracking pixels).
    3. Quote containers: marked with the one class the console folds; other classes/ids go."""
    if tag == "a" and attribute == "href":
        return value if value.strip().lower().startswith(_LINK_SCHEMES) else None
    if tag == "img" and attribute == "src":
        return value if value.strip().lower().startswith(_IMAGE_SOURCES) else None
    if attribute == "class":
        classes = {c.lower() for c in value.split()}
        return QUOTED_CLASS if classes & _KEPT_CLASSES else None
    if attribute == "id":
        return None
    if tag == "blockquote" and attribute == "type":
        return value if value.lower() == "cite" else None
    return value


_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags=_CLEAN_CONTENT,
    attributes=_ATTRIBUTES,
    attribute_filter=_attribute_filter,
    url_schemes={"http", "https", "mailto", "tel", "cid", "data"},
    link_rel="noopener noreferrer",
    strip_comments=True,
    # In mail a blockquote is nearly always quoted text; the class lets the console fold it.
    set_tag_attribute_values={"a": {"target": "_blank"}, "blockquote": {"class": QUOTED_CLASS}},
)


def _mark_quote_ids(html: str) -> str:
    """Outlook marks its quoted history by id, not class; give it the class the filter keeps.

    Done on the raw input only as an added class attribute, so nh3 still sees (and cleans)
    everything; an id we do not know is left alone.
    """
    lowered = html.lower()
    for quote_id in QUOTE_IDS:
        needle = f'id="{quote_id}"'
        at = lowered.find(needle)
        if at != -1:
            html = f'{html[:at]}class="{QUOTED_CLASS}" {html[at:]}'
            lowered = html.lower()
    return html


def sanitize_html(html: str) -> str:
    """Safe HTML for the console: basic formatting, safe links, quoted history marked."""
    return _CLEANER.clean(_mark_quote_ids(limit_nesting(html)[0])).strip()
