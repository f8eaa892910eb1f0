"""The inbox and a ticket in a real Chromium: live filters, a ticking clock, a reply and a
reclassification, all without leaving the page; and the same pages at a phone's width."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from operant.desk.models import Message, MessageKind
from operant.notify.models import Notification
from tests.web.ticket_helpers import OUTAGE, ny, open_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT_DIR = "/tmp"
# Tuesday 17 November 2026, 10:00 New York, in the past so the conversation and history read in
# order around a reply written now: the question's target is Wednesday 18 November 17:00, an
# outage's the same Tuesday at 17:00. Both are overdue by now, and their countdowns say so.
RECEIVED = ny(2026, 11, 17, 10, 0)


def mark_window(page: Page) -> None:
    """A value that lives only as long as this document: a full page load would drop it."""
    page.evaluate("window.__operantMarker = 'still here'")


def assert_same_document(page: Page) -> None:
    assert page.evaluate("window.__operantMarker") == "still here"


@pytest.fixture
def tickets(client_a, client_c):
    general = open_ticket(client_a, subject="How do the reminder texts work?", at=RECEIVED)
    outage = open_ticket(client_c, OUTAGE, subject="Texts are down", at=RECEIVED)
    # An HTML mail with quoted history, to see it folded.
    Message.objects.create(
        ticket=general,
        kind=MessageKind.INBOUND,
        from_address="alice@acme-dental.example",
        from_name="Alice Adams",
        text="Also: can the reminder go out a day earlier?",
        html=(
            "<p>Also: can the reminder go out <b>a day earlier</b>?</p>"
            '<blockquote class="quoted">On Monday you wrote: the old schedule</blockquote>'
        ),
        created_at=RECEIVED,
    )
    return {"general": general, "outage": outage}


def test_an_agent_works_a_ticket_from_the_inbox_without_reloading(
    page, browser_login, agent, tickets
):
    general = tickets["general"]
    browser_login(page, "agent@operant.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Inbox").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    rows = page.locator("#inbox-results tbody tr")
    expect(rows).to_have_count(2)
    # Due first: the outage's target (Tuesday 17:00) comes before the question's (Wednesday).
    expect(rows.first).to_contain_text("Texts are down")
    expect(rows.first.locator(".countdown")).to_have_text(re.compile(r"(left|overdue by)"))
    page.screenshot(path=f"{SCREENSHOT_DIR}/operant-inbox.png", full_page=True)

    # Filtering swaps the table in place and keeps the URL shareable.
    mark_window(page)
    page.get_by_label("Class").select_option("general")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("How do the reminder texts work?")
    expect(page).to_have_url(re.compile(r"/console/inbox/\?request_class=general"))
    assert_same_document(page)

    page.get_by_role("link", name=re.compile("How do the reminder texts work")).click()
    expect(page.get_by_role("heading", name="How do the reminder texts work?")).to_be_visible()
    mark_window(page)

    # The countdown is live: its text changes while we watch (no claim on how fast).
    countdown = page.locator("#clock .countdown")
    first_reading = countdown.text_content()
    expect(countdown).not_to_have_text(first_reading or "")

    # The quoted history of the HTML mail is folded away until asked for.
    folded = page.locator(".message-html details.quoted-history")
    expect(folded).to_have_count(1)
    expect(folded.get_by_text("the old schedule")).to_be_hidden()
    folded.locator("summary").click()
    expect(folded.get_by_text("the old schedule")).to_be_visible()

    # A reply appears in the conversation, in this same document, and goes to the outbox.
    page.get_by_label(re.compile("Reply to alice@acme-dental.example")).fill(
        "The reminders go out 24 hours ahead."
    )
    page.get_by_role("button", name="Send reply").click()
    reply = page.locator("#conversation .message-outbound")
    expect(reply).to_contain_text("The reminders go out 24 hours ahead.")
    expect(page.get_by_label(re.compile("Reply to"))).to_have_value("")
    expect(page.locator("#ticket-head")).to_contain_text("Waiting on client")
    assert_same_document(page)
    sent = Notification.objects.get(kind="desk.reply")
    assert sent.to == ["alice@acme-dental.example"]
    assert "The reminders go out 24 hours ahead." in sent.body_text
    assert f"[{general.ref}]" in sent.subject

    # One click reclassifies, and the clock panel shows the outage's earlier target.
    target = page.locator("#clock .clock-target .zone-client")
    expect(target).to_have_text("Wed 18 Nov 2026, 17:00 EST")
    page.locator("#classification").get_by_role("button", name="Outage", exact=True).click()
    expect(target).to_have_text("Tue 17 Nov 2026, 17:00 EST")
    expect(page.locator("#ticket-head .badge-class-outage")).to_be_visible()
    expect(page.locator("#history")).to_contain_text("Reclassified from General to Outage")
    assert_same_document(page)
    page.screenshot(path=f"{SCREENSHOT_DIR}/operant-ticket.png", full_page=True)


def test_a_service_refusal_shows_in_its_panel(page, browser_login, agent, tickets):
    browser_login(page, "agent@operant.test")
    page.goto(f"/console/tickets/{tickets['general'].ref}/")
    mark_window(page)
    page.get_by_role("button", name="Send reply").click()  # nothing written
    expect(page.locator("#composer [role=alert]")).to_have_text("A reply needs some text")
    page.locator("#clock").get_by_role("button", name="Pause: waiting on client").click()
    expect(page.locator("#clock .badge-clock-paused")).to_be_visible()
    expect(page.locator("#clock")).to_contain_text("still paused")
    assert_same_document(page)


def test_inbox_and_ticket_fit_a_phone(phone_page, browser_login, agent, tickets):
    page = phone_page
    browser_login(page, "agent@operant.test")
    page.goto("/console/inbox/")
    expect(page.locator("#inbox-results tbody tr")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=f"{SCREENSHOT_DIR}/operant-inbox-phone.png", full_page=True)

    page.get_by_role("link", name=re.compile("How do the reminder texts work")).click()
    expect(page.locator("#clock .countdown")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=f"{SCREENSHOT_DIR}/operant-ticket-phone.png", full_page=True)


def test_an_agent_abroad_reads_times_in_their_own_zone(
    browser, live_server, browser_login, agent, tickets
):
    # The agent's browser is in Berlin; the client is in New York; the server runs on UTC.
    context = browser.new_context(base_url=live_server.url, timezone_id="Europe/Berlin")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        browser_login(page, "agent@operant.test")
        page.goto(f"/console/tickets/{tickets['general'].ref}/")
        target = page.locator("#clock .clock-target")
        expect(target.locator(".zone-client")).to_have_text("Wed 18 Nov 2026, 17:00 EST")
        expect(target.locator("time")).to_have_text(re.compile(r"^Wed 18 Nov 2026, 23:00 GMT\+1$"))
        # Panels swapped in by an action get the same treatment.
        page.locator("#classification").get_by_role("button", name="Outage", exact=True).click()
        expect(target.locator(".zone-client")).to_have_text("Tue 17 Nov 2026, 17:00 EST")
        expect(target.locator("time")).to_have_text(re.compile(r"^Tue 17 Nov 2026, 23:00 GMT\+1$"))
    finally:
        context.close()
