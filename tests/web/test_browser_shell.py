"""The web shell in a real Chromium: sign-in, console, portal, refusals, phone layout."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT_DIR = "/tmp"


def test_an_agent_finds_a_client_and_sees_its_package(
    page, browser_login, agent, client_a, client_c
):
    browser_login(page, "agent@operant.test")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    rows = page.locator("#client-results tbody tr")
    expect(rows).to_have_count(2)

    # Live filtering through htmx: the list narrows without leaving the page.
    page.get_by_label("Search").fill("cobalt")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Cobalt Gym")
    expect(page).to_have_url(re.compile(r"/console/clients/\?q=cobalt"))
    page.get_by_label("Search").fill("")
    page.get_by_label("Package").select_option("growth")
    expect(rows).to_have_count(1)

    page.get_by_role("link", name="Acme Dental").click()
    expect(page.get_by_role("heading", name="Acme Dental", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Package: Growth")).to_be_visible()
    coverage = page.locator(".coverage")
    expect(coverage.locator(".is-included")).to_contain_text(["Twilio SMS", "Twilio Voice"])
    expect(coverage.locator(".is-excluded", has_text="Instagram messaging")).to_contain_text(
        "Not included"
    )
    page.screenshot(path=f"{SCREENSHOT_DIR}/operant-console-client.png", full_page=True)


def test_a_client_contact_sees_the_portal_and_is_refused_elsewhere(
    page, browser_login, alice, client_a, client_c
):
    browser_login(page, "alice@acme-dental.example")
    expect(page).to_have_url(re.compile(r"/portal/$"))
    expect(page.get_by_role("heading", name="Acme Dental")).to_be_visible()
    expect(page.get_by_role("heading", name="Your package: Growth")).to_be_visible()
    expect(page.get_by_text("Cobalt Gym")).to_have_count(0)
    page.screenshot(path=f"{SCREENSHOT_DIR}/operant-portal.png", full_page=True)

    for path in (f"/console/clients/{client_c.slug}/", "/console/clients/", "/console/"):
        response = page.goto(path)
        assert response is not None, path
        assert response.status == 403, path
        expect(page.get_by_role("heading", name="You can't open this page")).to_be_visible()
        expect(page.get_by_text("Cobalt Gym")).to_have_count(0)
    page.screenshot(path=f"{SCREENSHOT_DIR}/operant-refused.png", full_page=True)


def test_the_menu_works_at_phone_width(phone_page, browser_login, agent, client_a, client_c):
    page = phone_page
    browser_login(page, "agent@operant.test")
    nav = page.get_by_role("navigation", name="Main")
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(nav).to_be_hidden()
    page.screenshot(path=f"{SCREENSHOT_DIR}/operant-phone-closed.png", full_page=True)

    menu.click()
    expect(nav).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "true")
    page.screenshot(path=f"{SCREENSHOT_DIR}/operant-phone-menu.png", full_page=True)
    nav.get_by_role("link", name="Clients").click()
    expect(page.get_by_role("heading", name="Clients")).to_be_visible()
    # Nothing spills sideways: the page is no wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=f"{SCREENSHOT_DIR}/operant-phone-clients.png", full_page=True)
