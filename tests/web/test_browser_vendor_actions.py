"""The agent's actions in a real Chromium: on an incident page, the workaround starts from the
integration's template, is edited and saved, and shows in the timeline; on the maintenance page,
a window ending before it starts is refused with the service's message, fixed, and listed. No
page breaks the Content Security Policy."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from operant.vendors.workarounds import WORKAROUND_SEED, workaround_templates_seed
from tests.web.browser_helpers import csp_violations
from tests.web.status_fixtures import voice_incident

__all__ = ["voice_incident"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_edits_the_workaround_and_sees_it_in_the_timeline(
    page, browser_login, agent, voice_incident
):
    workaround_templates_seed()  # a transactional test starts without migration 0004's rows
    violations = csp_violations(page)
    browser_login(page, "agent@operant.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Vendors").click()
    page.get_by_role("link", name="Voice calls dropping").click()

    field = page.get_by_label("What clients can do meanwhile")
    expect(field).to_have_value(dict(WORKAROUND_SEED)["twilio_voice"])
    field.fill("Forward the automated line to the front desk's mobile until Twilio recovers.")
    page.get_by_role("button", name="Save the workaround").click()

    expect(page.get_by_role("status")).to_contain_text("Workaround saved")
    timeline = page.get_by_test_id("timeline").locator("li")
    expect(timeline).to_have_count(2)
    expect(timeline.nth(1)).to_contain_text(
        "Workaround: Forward the automated line to the front desk's mobile"
    )
    expect(timeline.nth(1)).to_contain_text("Avery Agent")
    assert violations == []


def test_an_agent_fixes_a_refused_window_and_sees_it_listed(page, browser_login, agent, catalog):
    violations = csp_violations(page)
    browser_login(page, "agent@operant.test")
    page.goto("/console/maintenance/")
    expect(page.get_by_text("No maintenance scheduled.")).to_be_visible()
    page.get_by_text("Schedule maintenance").click()
    page.get_by_label("Title").fill("Database upgrade")
    page.get_by_label("Start", exact=True).fill("2026-12-11T02:00")
    page.get_by_label("End (of the first occurrence)").fill("2026-12-11T01:00")
    page.get_by_label("Time zone").fill("America/New_York")
    page.get_by_role("button", name="Schedule").click()

    expect(page.get_by_role("alert")).to_contain_text("before it starts")
    expect(page.get_by_label("Title")).to_have_value("Database upgrade")
    page.get_by_label("End (of the first occurrence)").fill("2026-12-11T04:00")
    page.get_by_role("button", name="Schedule").click()

    expect(page.get_by_role("status")).to_contain_text("Maintenance scheduled: Database upgrade")
    window = page.locator("article[data-window]")
    expect(window).to_have_count(1)
    expect(window.get_by_role("heading", level=2)).to_have_text("Database upgrade")
    expect(window.locator("time").first).to_have_attribute("datetime", "2026-12-11T07:00:00+00:00")
    assert violations == []
