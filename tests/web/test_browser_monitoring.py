"""The monitoring board in a real Chromium: a workflow shown up goes down when its automation
reports a failure to the ping endpoint, and the board shows it without a reload."""

from __future__ import annotations

import urllib.request

import pytest
from playwright.sync_api import expect

from tests.web.monitoring_helpers import make_workflow, ping

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The board polls every few seconds; allow a few polls on a busy machine.
POLLS = 20_000


def test_the_board_shows_a_workflow_going_down_without_a_reload(
    page, browser_login, live_server, agent, client_a
):
    workflow = make_workflow(client_a, "Acme reminders")
    ping(workflow)
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    browser_login(page, "agent@operant.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Monitoring").click()
    row = page.locator("#board tbody tr", has_text="Acme reminders")
    state = row.locator("[data-state]")
    expect(state).to_have_text("Up")
    expect(row.locator(".tick")).to_have_count(1)
    # A value that lives only as long as this document: a reload would drop it.
    page.evaluate("window.__operantMarker = 'still here'")

    # The automation reports a failure, as it would in production: over HTTP to the server.
    request = urllib.request.Request(
        f"{live_server.url}{workflow.ping_path}/fail", data=b"exit 1: timeout", method="POST"
    )
    with urllib.request.urlopen(request) as response:
        assert response.status == 200

    expect(state).to_have_text("Down", timeout=POLLS)
    expect(row.locator(".tick-fail")).to_have_count(1)
    expect(row).to_contain_text("the last run reported a failure")
    assert page.evaluate("window.__operantMarker") == "still here"
    assert violations == []
