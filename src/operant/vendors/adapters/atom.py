"""RSS 2.0 and Atom status feeds: each entry is an incident, each new version of an entry an
update of it.

A status feed names no component ids, so an entry reaches our integrations through its
categories and title (``ComponentMapping`` labels). Its status is the first emphasised word of
its content (Statuspage's history feed starts each update with "<strong>Resolved</strong> -"),
else a status word leading its title. XML is read with defusedxml: a feed is outside input.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from xml.etree.ElementTree import Element, ParseError

import nh3
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from operant.vendors.adapters.base import FeedError, IncidentReading, Snapshot, UpdateReading

ATOM = "{http://www.w3.org/2005/Atom}"
_STATUS_WORDS = {
    "investigating": "investigating",
    "identified": "identified",
    "monitoring": "monitoring",
    "update": "investigating",
    "resolved": "resolved",
    "completed": "resolved",
    "postmortem": "resolved",
}
_EMPHASISED = re.compile(r"<(?:strong|b)>\s*([A-Za-z]+)\s*</(?:strong|b)>")
_LEADING_WORD = re.compile(r"^\W*([A-Za-z]+)")
_MAX_BODY = 4000


def parse(body: bytes, content_type: str) -> Snapshot:
    if "html" in content_type.lower() and "xml" not in content_type.lower():
        raise FeedError(
            f"the feed answered HTML instead of RSS/Atom (Content-Type: {content_type})"
        )
    try:
        root = fromstring(body)
    except ParseError as exc:
        line, column = exc.position
        raise FeedError(f"malformed XML at line {line}, column {column}") from None
    except DefusedXmlException:
        raise FeedError("refused XML that declares entities or a DTD") from None
    if root.tag == f"{ATOM}feed":
        entries = [_atom_entry(entry) for entry in root.iter(f"{ATOM}entry")]
    elif root.tag == "rss":
        entries = [_rss_item(item) for item in root.iter("item")]
    else:
        raise FeedError(f"not an RSS or Atom feed (the document is <{root.tag}>)")
    return Snapshot(components=None, incidents=tuple(entries))


def _child_text(element: Element, tag: str) -> str:
    child = element.find(tag)
    return (child.text or "").strip() if child is not None else ""


def _iso(value: str, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise FeedError(f"{where}: unreadable time {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _rfc822(value: str, where: str) -> datetime:
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        raise FeedError(f"{where}: unreadable date {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _status(content: str, title: str) -> str:
    for pattern, text in ((_EMPHASISED, content), (_LEADING_WORD, title)):
        match = pattern.search(text)
        if match and match.group(1).lower() in _STATUS_WORDS:
            return _STATUS_WORDS[match.group(1).lower()]
    return "resolved" if "resolved" in title.lower() else "investigating"


def _plain(html: str) -> str:
    text = nh3.clean(html.replace("<br>", "\n").replace("</p>", "\n"), tags=set())
    return re.sub(r"[ \t]+", " ", text).strip()[:_MAX_BODY]


def _reading(
    *, entry_id: str, title: str, content: str, when: datetime, url: str, labels: list[str]
) -> IncidentReading:
    status = _status(content, title)
    # One update per version of the entry: the feed republishes an entry when the vendor adds
    # to it, with a new ``updated`` time.
    update = UpdateReading(
        id=f"{entry_id}@{when.isoformat()}", status=status, body=_plain(content), posted_at=when
    )
    return IncidentReading(
        id=entry_id,
        title=title,
        status=status,
        impact="minor",
        started_at=when,
        url=url,
        labels=tuple(label for label in [*labels, title] if label),
        updates=(update,),
    )


def _atom_entry(entry: Element) -> IncidentReading:
    entry_id = _child_text(entry, f"{ATOM}id") or _child_text(entry, f"{ATOM}link")
    if not entry_id:
        raise FeedError("an Atom entry has no <id>")
    where = f"entry {entry_id}"
    stamp = _child_text(entry, f"{ATOM}updated") or _child_text(entry, f"{ATOM}published")
    if not stamp:
        raise FeedError(f"{where} has no <updated> time")
    link = entry.find(f"{ATOM}link")
    return _reading(
        entry_id=entry_id,
        title=_child_text(entry, f"{ATOM}title"),
        content=_child_text(entry, f"{ATOM}content") or _child_text(entry, f"{ATOM}summary"),
        when=_iso(stamp, where),
        url=link.get("href", "") if link is not None else "",
        labels=[c.get("term", "") for c in entry.findall(f"{ATOM}category")],
    )


def _rss_item(item: Element) -> IncidentReading:
    entry_id = _child_text(item, "guid") or _child_text(item, "link")
    if not entry_id:
        raise FeedError("an RSS item has neither <guid> nor <link>")
    where = f"item {entry_id}"
    stamp = _child_text(item, "pubDate")
    if not stamp:
        raise FeedError(f"{where} has no <pubDate>")
    return _reading(
        entry_id=entry_id,
        title=_child_text(item, "title"),
        content=_child_text(item, "description"),
        when=_rfc822(stamp, where),
        url=_child_text(item, "link"),
        labels=[(c.text or "").strip() for c in item.findall("category")],
    )
