"""A quote's whole life in a real Chromium: an agent builds and sends it from the ticket, the
client opens the emailed link without signing in and accepts, and a contact of another client
is refused both the console page and the link."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from operant.notify.models import Notification
from operant.quotes.models import Quote

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fresh_page(browser: Browser, live_server: Any) -> Iterator[Any]:
    """Another browser, with its own cookies: the client's, or charlie's."""
    contexts = []

    def make() -> Page:
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def test_a_quote_is_built_sent_and_accepted_through_the_emailed_link(
    page, fresh_page, browser_login, live_server, settings, oos_ticket, charlie
):
    # The email's links must point at this server.
    settings.OPERANT_BASE_URL = live_server.url

    # 1. The agent builds the quote from the out-of-scope ticket.
    browser_login(page, "agent@operant.test")
    page.goto(reverse("console:ticket", args=[oos_ticket.pk]))
    page.get_by_role("link", name="Build a quote").click()
    expect(page.get_by_role("heading", name=f"New quote for {oos_ticket.ref}")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Add Instagram booking replies")
    expect(page.get_by_label("Quoted because")).to_have_value("new_feature")
    page.get_by_label("First line").fill("Build the DM booking flow")
    page.get_by_label("Hours").fill("2")
    page.get_by_role("button", name="Create draft").click()
    expect(page.locator("#quote-state")).to_have_text("Draft")

    # 2. A fixed line, added in place (HTMX), then the quote goes out.
    page.get_by_label("Kind").select_option("fixed")
    page.get_by_label("Description").fill("Instagram app review")
    page.get_by_label("Fixed amount").fill("20")
    page.get_by_role("button", name="Add line").click()
    expect(page.locator("#quote-lines")).to_contain_text("Instagram app review")
    expect(page.locator(".quote-total")).to_have_text("270.00 USD")
    page.get_by_role("button", name="Send to client").click()
    expect(page.locator("#quote-state")).to_have_text("Sent")
    page.screenshot(path="/tmp/operant-quote-console.png", full_page=True)
    quote = Quote.objects.get()
    assert quote.state == "sent"

    # 3. The email the client gets carries the signed accept link.
    email = Notification.objects.get(kind="quotes.sent")
    assert email.to == ["alice@acme-dental.example"]
    accept_url = re.search(r"To accept this quote, open:\s+(\S+)", email.body_text)[1]
    assert accept_url.startswith(f"{live_server.url}/quotes/respond/")

    # 4. The client opens it, signed out: the page asks first, the button accepts.
    client_page = fresh_page()
    client_page.goto(accept_url)
    expect(client_page.get_by_role("heading", name="Accept this quote?")).to_be_visible()
    expect(client_page.locator(".quote-total")).to_have_text("270.00 USD")
    client_page.screenshot(path="/tmp/operant-quote-accept.png", full_page=True)
    quote.refresh_from_db()
    assert quote.state == "sent"  # opening the link changed nothing
    client_page.get_by_role("button", name=f"Accept quote {quote.ref}").click()
    expect(client_page.get_by_role("heading", name=f"Quote {quote.ref} accepted")).to_be_visible()
    quote.refresh_from_db()
    assert (quote.state, quote.decided_via) == ("accepted", "link")

    # The same link again: used up.
    client_page.goto(accept_url)
    expect(client_page.locator(".refusal")).to_contain_text("was already accepted")

    # 5. Charlie, a contact of another client, signed in: refused the console page and the link.
    charlie_page = fresh_page()
    browser_login(charlie_page, "charlie@cobalt-gym.example")
    response = charlie_page.goto(reverse("console:quote", args=[quote.pk]))
    assert response.status == 403
    expect(charlie_page.get_by_role("heading", name="You can't open this page")).to_be_visible()
    response = charlie_page.goto(accept_url)
    assert response.status == 403
    expect(charlie_page.locator(".refusal")).to_contain_text("for another client")
    quote.refresh_from_db()
    assert quote.events.filter(kind="accepted").count() == 1
