"""The time panel in a real Chromium: log, be refused an overdraft, split, remove; all by HTMX
without leaving the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from operant.allowance.models import TimeEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_logs_time_is_refused_an_overdraft_and_splits_it(
    page, browser_login, agent, ticket
):
    browser_login(page, "agent@operant.test")
    page.goto(f"/console/tickets/{ticket.ref}/")
    page.evaluate("window.__operantMarker = 'still here'")
    panel = page.locator("#time")
    expect(panel).to_contain_text("30 of 30 allowance minutes left")

    form = panel.locator("form.time-log")
    form.get_by_label("Minutes").fill("25")
    form.get_by_label("Note").fill("greeting copy")
    form.get_by_role("button", name="Log time").click()
    expect(panel).to_contain_text("Logged 25 minutes")
    expect(panel).to_contain_text("5 of 30 allowance minutes left")

    form = panel.locator("form.time-log")
    form.get_by_label("Minutes").fill("20")
    form.get_by_label("Note").fill("footer copy")
    form.get_by_role("button", name="Log time").click()
    expect(panel.get_by_role("alert")).to_contain_text("Only 5 of the 30 allowance minutes")
    page.screenshot(path="/tmp/allowance-overdraft.png", full_page=True)
    panel.get_by_role("button", name="Log the 5 minutes that fit, quote the other 15").click()
    expect(panel).to_contain_text("Logged the 5 minutes that fit the allowance.")
    quote_link = panel.get_by_role("link", name="Quote the other 15 minutes")
    new_quote = f"/console/quotes/new/?ticket={ticket.ref}&minutes=15"
    expect(quote_link).to_have_attribute("href", new_quote)
    expect(panel).to_contain_text("0 of 30 allowance minutes left")
    assert page.evaluate("window.__operantMarker") == "still here"
    assert sorted(TimeEntry.objects.values_list("minutes", flat=True)) == [5, 25]

    page.on("dialog", lambda dialog: dialog.accept())
    first = panel.locator(".time-entry").filter(has_text="greeting copy")
    first.locator("summary", has_text="Edit").click()
    first.get_by_role("button", name="Remove").click()
    expect(panel).to_contain_text("Removed the 25-minute entry")
    expect(panel).to_contain_text("25 of 30 allowance minutes left")
    page.screenshot(path="/tmp/allowance-panel.png", full_page=True)
