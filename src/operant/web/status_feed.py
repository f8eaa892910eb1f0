"""The status page as an Atom feed (RFC 4287), written with the standard library's XML writer
(which escapes every text and attribute): one entry per vendor incident of the last month and
per upcoming public maintenance occurrence, from the same data as the page (status.py)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element, SubElement, tostring

from django.conf import settings
from django.urls import reverse

from operant.maintenance.models import Occurrence
from operant.maintenance.queries import public_upcoming
from operant.vendors.models import VendorIncident
from operant.web.status import feed_incidents, vendor_names

ATOM = "http://www.w3.org/2005/Atom"


def _absolute(path: str) -> str:
    return settings.OPERANT_BASE_URL.rstrip("/") + path


def _tag(specific: str) -> str:
    """A permanent entry id (RFC 4151 tag URI): the same incident keeps the same id, so a
    reader updates its entry rather than adding another."""
    host = urlsplit(settings.OPERANT_BASE_URL).hostname or "operant.invalid"
    return f"tag:{host},2026:{specific}"


def _text(parent: Element, name: str, text: str, **attributes: str) -> Element:
    element = SubElement(parent, name, attributes)
    element.text = text
    return element


def _when(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def _incident_entry(feed: Element, incident: VendorIncident, vendor: str) -> datetime:
    entry = SubElement(feed, "entry")
    _text(entry, "id", _tag(f"vendor-incident-{incident.pk}"))
    _text(entry, "title", f"{vendor}: {incident.title} ({incident.get_status_display()})")
    _text(entry, "published", _when(incident.started_at))
    _text(entry, "updated", _when(incident.updated_at))
    link = incident.url or _absolute(reverse("status"))
    SubElement(entry, "link", {"rel": "alternate", "href": link})
    _text(entry, "category", "", term="vendor-incident")
    latest = incident.latest_update
    summary = latest.body if latest is not None and latest.body else incident.title
    _text(entry, "summary", summary)
    return incident.updated_at


def _maintenance_entry(feed: Element, occurrence: Occurrence) -> datetime:
    window = occurrence.window
    entry = SubElement(feed, "entry")
    _text(entry, "id", _tag(f"maintenance-{window.pk}-{occurrence.starts_at:%Y%m%dT%H%M%SZ}"))
    _text(entry, "title", f"Planned maintenance: {window.title}")
    _text(entry, "published", _when(window.created_at))
    _text(entry, "updated", _when(window.created_at))
    SubElement(entry, "link", {"rel": "alternate", "href": _absolute(reverse("status"))})
    _text(entry, "category", "", term="maintenance")
    scope = ", ".join(i.name for i in window.integrations.all()) or "the whole platform"
    _text(
        entry,
        "summary",
        f"From {occurrence.starts_at:%Y-%m-%d %H:%M} to {occurrence.ends_at:%Y-%m-%d %H:%M} UTC; "
        f"affects {scope}.",
    )
    return window.created_at


def status_atom(*, now: datetime) -> bytes:
    """The feed; its ``updated`` is its newest entry's (``now`` when it has none)."""
    feed = Element("feed", {"xmlns": ATOM})
    _text(feed, "id", _tag("status"))
    _text(feed, "title", "Operant Desk status")
    SubElement(feed, "link", {"rel": "self", "href": _absolute(reverse("status_feed"))})
    SubElement(feed, "link", {"rel": "alternate", "href": _absolute(reverse("status"))})
    author = SubElement(feed, "author")
    _text(author, "name", "Operant Desk")
    updated = _text(feed, "updated", "")
    names = vendor_names()
    stamps = [
        _incident_entry(feed, incident, names.get(incident.vendor_key, incident.vendor_key))
        for incident in feed_incidents(now=now)
    ]
    stamps += [_maintenance_entry(feed, o) for o in public_upcoming(now=now)]
    updated.text = _when(max(stamps, default=now))
    return tostring(feed, encoding="utf-8", xml_declaration=True)
