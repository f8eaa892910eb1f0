"""The portal in a real Chromium: the allowance gauge, a new request, and isolation."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.portal_helpers import log_adjustment, sent_quote, ticket_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def test_alice_sees_her_allowance_and_opens_a_request(page, browser_login, alice, agent, client_a):
    log_adjustment(ticket_for(client_a), agent, 12)
    browser_login(page, "alice@acme-dental.example")

    page.get_by_role("navigation", name="Portal").get_by_role("link", name="Allowance").click()
    gauge = page.get_by_role("meter", name="Allowance used")
    expect(gauge).to_have_attribute("aria-valuenow", "12")
    expect(page.get_by_test_id("allowance-remaining")).to_have_text("18 minutes remaining")
    expect(page.get_by_test_id("allowance-used")).to_have_text("12 of 30 minutes used")

    page.get_by_role("navigation", name="Portal").get_by_role("link", name="New request").click()
    page.get_by_label("Subject").fill("Change the reminder wording")
    page.get_by_label("What do you need?").fill("Please say 'see you soon' instead of 'bye'.")
    page.get_by_role("button", name="Send request").click()

    expect(page).to_have_url(re.compile(r"/portal/tickets/\d+/$"))
    expect(page.get_by_role("heading", name="Change the reminder wording")).to_be_visible()
    expect(page.get_by_text("Response target")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("we opened OPR-")
    page.get_by_role("navigation", name="Portal").get_by_role("link", name="My tickets").click()
    expect(page.get_by_role("link", name="Change the reminder wording")).to_be_visible()


def test_charlie_cannot_open_alices_ticket_or_quote(
    page, browser_login, alice, charlie, agent, client_a
):
    ticket = ticket_for(client_a, "Acme private ticket")
    quote = sent_quote(client_a, agent)
    browser_login(page, "charlie@cobalt-gym.example")
    for path in (
        f"/portal/tickets/{ticket.pk}/",
        f"/portal/quotes/{quote.pk}/",
        f"/portal/quotes/{quote.pk}/pdf/",
    ):
        response = page.goto(path)
        assert response is not None, path
        assert response.status == 404, path
        expect(page.get_by_text("Acme")).to_have_count(0)
    page.goto("/portal/tickets/")
    expect(page.get_by_text("Acme private ticket")).to_have_count(0)
    page.goto("/portal/quotes/")
    expect(page.get_by_text(quote.ref)).to_have_count(0)
