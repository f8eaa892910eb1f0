"""The status pages in a real Chromium: an agent finds a vendor incident from the menu, reads
its timeline and follows an affected client; a visitor without a login reads /status and its
feed. No page breaks the Content Security Policy."""

from __future__ import annotations

import pytest
from defusedxml import ElementTree
from playwright.sync_api import expect

from tests.web.browser_helpers import csp_violations
from tests.web.monitoring_helpers import make_workflow, ping, run_worker
from tests.web.status_fixtures import SMS_UPDATE, sms_outage, windows

__all__ = ["sms_outage", "windows"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_reads_an_incident_and_follows_an_affected_client(
    page, browser_login, agent, client_a, client_c, sms_outage
):
    make_workflow(client_a, "Acme reminders")
    violations = csp_violations(page)
    browser_login(page, "agent@operant.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Vendors").click()
    page.get_by_role("link", name="SMS delivery delays").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("SMS delivery delays")
    expect(page.get_by_test_id("incident-status")).to_have_text("Identified")
    timeline = page.get_by_test_id("timeline").locator("li")
    expect(timeline).to_have_count(2)
    expect(timeline.nth(1)).to_contain_text(SMS_UPDATE)
    expect(page.get_by_test_id("integrations")).to_contain_text("Twilio SMS")
    expect(page.get_by_test_id("workflows")).to_contain_text("Acme reminders")
    clients = page.get_by_test_id("clients")
    expect(clients.get_by_role("link")).to_have_text(["Acme Dental", "Cobalt Gym"])

    clients.get_by_role("link", name="Cobalt Gym").click()
    page.wait_for_url(f"**/console/clients/{client_c.slug}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cobalt Gym")
    assert violations == []


def test_a_visitor_reads_the_status_page_and_its_feed(
    page, client_a, client_c, sms_outage, windows
):
    down = make_workflow(client_c, "Cobalt class texts")
    ping(down, "fail")
    ping(make_workflow(client_a, "Acme reminders"))
    run_worker()
    violations = csp_violations(page)

    page.goto("/status")
    expect(page.get_by_role("heading", level=1)).to_have_text("Status")
    expect(page.get_by_test_id("platform-headline")).to_have_text(
        "1 of 2 monitored workflows need attention; we are on it."
    )
    twilio = page.locator("[data-vendor=twilio]")
    expect(twilio.get_by_test_id("vendor-state")).to_have_text("Partial outage")
    incidents = page.get_by_role("region", name="Current incidents")
    expect(incidents).to_contain_text("SMS delivery delays")
    expect(incidents).to_contain_text(SMS_UPDATE)
    maintenance = page.get_by_role("region", name="Planned maintenance")
    expect(maintenance.locator("tbody tr")).to_have_count(2)
    body = page.locator("body")
    for name in ["Acme", "Cobalt", "Acme reminders", windows.acme_only.title]:
        expect(body).not_to_contain_text(name)

    href = page.get_by_role("link", name="Subscribe (Atom feed)").get_attribute("href")
    response = page.request.get(href)
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    feed = ElementTree.fromstring(response.body())
    titles = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert "Twilio: SMS delivery delays (Identified)" in titles
    assert violations == []
