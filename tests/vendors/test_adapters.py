"""The feed adapters on real captures and on the ways a body goes wrong (no network, no DB)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from operant.vendors.adapters import adapter_for, atom, statuspage
from operant.vendors.adapters.base import FeedError
from tests.fakes.status_page import FIXTURES, StatusScript

START = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)


def raw(name: str) -> bytes:
    return (FIXTURES / f"{name}.summary.json").read_bytes()


def test_it_reads_twilios_page_during_an_incident():
    snapshot = statuspage.parse(raw("twilio_incident"), "application/json; charset=utf-8")
    assert len(snapshot.components) == 73
    sms = next(c for c in snapshot.components if c.id == "yvvy3vlp4djf")
    assert (sms.name, sms.group_name, sms.is_group) == ("SMS", "PROGRAMMABLE MESSAGING", False)
    assert "programmable messaging - sms" in sms.labels()
    group = next(c for c in snapshot.components if c.name == "PROGRAMMABLE MESSAGING")
    assert group.is_group
    assert group.status == "degraded_performance"
    incident = next(i for i in snapshot.incidents if i.id == "r0f0vdz8vrgm")
    assert incident.status == "monitoring"
    assert "yvvy3vlp4djf" in incident.component_ids  # named by an update's affected_components
    assert [u.posted_at for u in incident.updates] == sorted(u.posted_at for u in incident.updates)
    assert snapshot.unresolved_only


def test_it_reads_scheduled_maintenances_for_the_maintenance_side():
    snapshot = statuspage.parse(raw("cloudamqp_maintenance"), "application/json")
    (maintenance,) = snapshot.maintenances
    assert maintenance.status == "in_progress"
    assert maintenance.starts_at == datetime(2020, 7, 16, 21, 0, tzinfo=UTC)
    assert maintenance.ends_at == datetime(2020, 7, 16, 23, 0, tzinfo=UTC)
    assert maintenance.component_ids
    shared = next(c for c in snapshot.components if c.name == "Shared servers")
    assert shared.status == "under_maintenance"


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"<html><body>Bad gateway</body></html>", "text/html", "HTML instead of JSON"),
        (b"  <!DOCTYPE html>", "", "HTML instead of JSON"),
        (b'{"components": [}', "application/json", "malformed JSON at line 1, column 17"),
        (raw("twilio_incident")[:5000], "application/json", "truncated JSON"),
        (b'{"page": {}}', "application/json", "no 'components' list"),
        (b'{"components": [], "incidents": {}}', "application/json", "'incidents' is not a list"),
        (b"\xff\xfe{}", "application/json", "not UTF-8"),
    ],
)
def test_a_body_it_cannot_use_is_refused_with_a_message(body, content_type, message):
    with pytest.raises(FeedError, match=message):
        statuspage.parse(body, content_type)


def test_an_unreadable_time_names_the_incident():
    page = json.loads(raw("twilio_incident"))
    page["incidents"][0]["started_at"] = "yesterday"
    with pytest.raises(FeedError, match=r"incident 4dtnnnnxnhn9: unreadable time 'yesterday'"):
        statuspage.parse(json.dumps(page).encode(), "application/json")


def test_an_atom_history_feed_gives_one_update_per_version_of_an_entry():
    script = StatusScript(START)
    first = atom.parse(script.atom("outage").encode(), "application/atom+xml")
    later = atom.parse(script.atom("resolved").encode(), "application/atom+xml")
    (entry,) = first.incidents
    assert entry.status == "investigating"
    assert "Programmable Messaging" in entry.labels
    (resolved,) = later.incidents
    assert resolved.id == entry.id
    assert resolved.status == "resolved"
    assert resolved.updates[0].id != entry.updates[0].id
    assert "SMS delivery has recovered." in resolved.updates[0].body
    assert first.components is None


def test_an_rss_feed_is_read_too():
    body = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Status</title>
    <item><guid>inc-1</guid><title>Resolved: Instagram messaging delays</title>
    <pubDate>Tue, 01 Dec 2026 15:00:00 GMT</pubDate><category>Instagram</category>
    <description>All messages are flowing again.</description></item></channel></rss>"""
    (item,) = adapter_for("atom")(body, "application/rss+xml").incidents
    assert (item.id, item.status) == ("inc-1", "resolved")
    assert item.started_at == datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<feed><entry>", "malformed XML at line 1"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><rss>&a;</rss>',
            "refused XML that declares entities",
        ),
        (b"<html><body>hi</body></html>", "not an RSS or Atom feed"),
    ],
)
def test_a_bad_xml_feed_is_refused_with_a_message(body, message):
    with pytest.raises(FeedError, match=message):
        atom.parse(body, "application/xml")


def test_an_unknown_kind_has_no_adapter():
    with pytest.raises(FeedError, match="no adapter for feed kind 'gopher'"):
        adapter_for("gopher")
