"""The public /status page and its Atom feed: our platform in aggregate, each vendor's mapped
components and incidents, public maintenance; no login; throttled; never a client's or a
workflow's name."""

from __future__ import annotations

import pytest
from defusedxml import ElementTree
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from operant.monitoring.throttle import TokenBuckets
from operant.vendors.incidents import incident_post
from operant.web import status_views
from tests.web.monitoring_helpers import make_workflow, ping, run_worker
from tests.web.status_fixtures import SMS_UPDATE, sms_outage, windows

__all__ = ["sms_outage", "windows"]

pytestmark = pytest.mark.django_db

STATUS = reverse("status")
FEED = reverse("status_feed")
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def named(client_a, client_c):
    """Workflows whose names, and their clients' names, must never appear: one up, one down."""
    up = make_workflow(client_a, "Acme reminders")
    ping(up)
    down = make_workflow(client_c, "Cobalt class texts")
    ping(down, "fail")
    run_worker()
    return [client_a.name, client_c.name, client_a.slug, client_c.slug, up.name, down.name]


def test_status_needs_no_login_and_shows_everything_public(named, sms_outage, windows):
    response = HttpClient().get(STATUS)
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 of 2 monitored workflows need attention" in html
    assert 'data-state="down"><span class="stat-count">1<' in html
    assert 'data-state="up"><span class="stat-count">1<' in html
    # Twilio's mapped components (SMS and its group) are out; Meta has no feed yet.
    assert "Partial outage" in html
    assert "No status known yet" in html
    assert "SMS delivery delays" in html
    assert SMS_UPDATE in html  # the incident's latest update
    assert "Database upgrade" in html
    assert "Voice routing upgrade" in html
    assert 'rel="alternate" type="application/atom+xml"' in html
    assert response["Cache-Control"] == "public, max-age=30"


def test_status_never_names_a_client_or_a_workflow(named, sms_outage, windows):
    html = HttpClient().get(STATUS).content.decode()
    feed = HttpClient().get(FEED).content.decode()
    for text in [*named, windows.acme_only.title]:
        assert text not in html
        assert text not in feed


def test_the_atom_feed_parses_back_with_incidents_and_maintenance(sms_outage, windows):
    response = HttpClient().get(FEED)
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}title") == "Operant Desk status"
    entries = {e.findtext(f"{ATOM}title"): e for e in root.iter(f"{ATOM}entry")}
    assert sorted(entries) == [
        "Planned maintenance: Database upgrade",
        "Planned maintenance: Voice routing upgrade",
        "Twilio: SMS delivery delays (Identified)",
    ]
    incident = entries["Twilio: SMS delivery delays (Identified)"]
    assert incident.findtext(f"{ATOM}summary") == SMS_UPDATE
    assert incident.findtext(f"{ATOM}id").endswith(f":vendor-incident-{sms_outage.incident.pk}")
    voice = entries["Planned maintenance: Voice routing upgrade"]
    assert "affects Twilio Voice" in voice.findtext(f"{ATOM}summary")
    # Every entry has the elements RFC 4287 requires, and ids are unique.
    ids = [e.findtext(f"{ATOM}id") for e in entries.values()]
    assert len(set(ids)) == len(ids)
    for entry in entries.values():
        assert entry.findtext(f"{ATOM}updated")
    # The feed's own date is its newest entry's: the incident's last revision (the second
    # poll, after the windows were scheduled).
    sms_outage.incident.refresh_from_db()
    newest = sms_outage.incident.updated_at.isoformat(timespec="seconds")
    assert root.findtext(f"{ATOM}updated") == newest


def test_a_resolved_incident_leaves_the_page_but_stays_in_the_feed(sms_outage):
    incident_post(
        incident=sms_outage.incident, body="All clear.", status="resolved", now=timezone.now()
    )
    html = HttpClient().get(STATUS).content.decode()
    assert "No current incidents." in html
    root = ElementTree.fromstring(HttpClient().get(FEED).content)
    titles = [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
    assert titles == ["Twilio: SMS delivery delays (Resolved)"]


def test_the_page_works_with_nothing_to_report(db):
    html = HttpClient().get(STATUS).content.decode()
    assert "No workflows are monitored yet." in html
    assert "No current incidents." in html
    assert "No planned maintenance." in html
    root = ElementTree.fromstring(HttpClient().get(FEED).content)
    assert list(root.iter(f"{ATOM}entry")) == []


def test_many_requests_from_one_network_are_slowed_down(db, monkeypatch):
    ticks = [0.0]
    buckets = TokenBuckets(rate=1, burst=2, clock=lambda: ticks[0])
    monkeypatch.setattr(status_views, "per_network", buckets)
    http = HttpClient()
    assert http.get(STATUS).status_code == 200
    assert http.get(FEED).status_code == 200
    refused = http.get(STATUS)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "10"
    # Another network is not held back by this one.
    assert http.get(STATUS, REMOTE_ADDR="198.51.100.7").status_code == 200
    ticks[0] += 1.0
    assert http.get(STATUS).status_code == 200


def test_status_refuses_writes(db):
    assert HttpClient().post(STATUS).status_code == 405
