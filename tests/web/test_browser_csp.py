"""In a real Chromium, the Content-Security-Policy blocks nothing the desk itself serves: no
page logs a policy violation, htmx still works, and the bars are drawn."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.web.browser_helpers import csp_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_console_and_api_docs_run_under_the_policy(page, browser_login, agent, client_a):
    violations = csp_violations(page)
    browser_login(page, "agent@operant.test")
    page.goto("/console/clients/")
    # htmx live search still swaps the results in.
    page.get_by_label("Search").fill("acme")
    expect(page.locator("#client-results tbody tr")).to_have_count(1)
    page.goto("/api/docs")
    expect(page.locator(".swagger-ui")).to_be_visible()
    expect(page.get_by_text("Operant Desk API").first).to_be_visible()
    assert violations == []


def test_the_allowance_gauge_is_drawn_under_the_policy(page, browser_login, alice):
    violations = csp_violations(page)
    browser_login(page, "alice@acme-dental.example")
    page.goto("/portal/allowance/")
    expect(page.locator(".gauge-track")).to_be_visible()
    # The bar's length is an SVG attribute (the policy refuses inline style attributes).
    expect(page.locator(".gauge-fill rect")).to_have_attribute("width", "0")
    assert violations == []
