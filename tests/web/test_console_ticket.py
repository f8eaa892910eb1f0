"""The ticket page: conversation, classification, clock, history, and every action on it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from operant.desk.models import Attachment, ClockState, Message, MessageKind, Ticket, TicketState
from operant.desk.services import ticket_clock_pause, ticket_clock_resume, ticket_note
from operant.notify.models import Notification
from tests.web.ticket_helpers import TUESDAY_10AM, ny, open_ticket

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
# Monday 30 November 2026, 12:00 in New York (17:00 UTC).
MONDAY_NOON = dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.UTC)


def url(ticket: Ticket, action: str = "") -> str:
    if not action:
        return reverse("console:ticket", args=[ticket.pk])
    return reverse(f"console:ticket_{action}", args=[ticket.pk])


def oob_panel(html: str, panel: str) -> str:
    match = re.search(rf'<(\w+) id="{panel}"[^>]*hx-swap-oob="true".*?</\1>', html, re.DOTALL)
    assert match, f"no out-of-band {panel} panel"
    return match.group(0)


@pytest.fixture
def ticket(client_a):
    return open_ticket(client_a, subject="How do reminders work?")


@pytest.fixture
def conversation(ticket, agent):
    """One message of each kind, an HTML mail, and two attachments (one too large to keep)."""
    fresh = "Hi <team>,\nhow do they work?\n\n"
    inbound = Message.objects.create(
        ticket=ticket,
        kind=MessageKind.INBOUND,
        from_address="alice@acme-dental.example",
        from_name="Alice Adams",
        text=fresh + "On Mon, 30 Nov 2026 at 09:00, Bob wrote:\n> old stuff",
        quoted_text_start=len(fresh),
        created_at=TUESDAY_10AM,
    )
    Attachment.objects.create(
        message=inbound, filename="screen.png", content_type="image/png", size=2048,
        content=b"\x89PNG fake",
    )  # fmt: skip
    Attachment.objects.create(
        message=inbound, filename="video.mov", content_type="video/quicktime", size=52_428_800,
        content=None,
    )  # fmt: skip
    Message.objects.create(
        ticket=ticket,
        kind=MessageKind.INBOUND,
        from_address="alice@acme-dental.example",
        text="Formatted",
        html='<p>The <b>formatted</b> one</p><blockquote class="quoted">earlier</blockquote>',
        created_at=TUESDAY_10AM + dt.timedelta(minutes=1),
    )
    Message.objects.create(
        ticket=ticket,
        kind=MessageKind.ACKNOWLEDGEMENT,
        text="We have your request.",
        created_at=TUESDAY_10AM + dt.timedelta(minutes=2),
    )
    ticket_note(ticket=ticket, author=agent, text="Call them first", now=ny(2026, 12, 1, 10, 5))
    return inbound


# ---- the page ---------------------------------------------------------------------------------


def test_the_conversation_shows_each_kind_distinctly(agent_client, ticket, conversation):
    response = agent_client.get(url(ticket))
    html = response.content.decode()
    assert response.status_code == 200
    for kind in ("inbound", "ack", "note"):
        assert f'class="message message-{kind}"' in html, kind
    assert "Internal note" in html
    assert "Acknowledgement" in html
    assert "Call them first" in html
    assert "{%" not in html


def test_text_is_escaped_and_its_quoted_history_folded(agent_client, ticket, conversation):
    html = agent_client.get(url(ticket)).content.decode()
    body = re.search(
        rf'id="message-{conversation.pk}".*?<div class="message-body">(.*?)<ul class="attachments"',
        html,
        re.DOTALL,
    ).group(1)
    fresh, _, folded = body.partition('<details class="quoted-history">')
    assert "<p>Hi &lt;team&gt;,<br>how do they work?</p>" in fresh
    assert "<team>" not in html
    assert "Bob wrote" not in fresh
    assert "Bob wrote:" in folded
    assert "&gt; old stuff" in folded


def test_only_the_sanitized_html_of_a_message_is_rendered_as_html(
    agent_client, ticket, conversation
):
    html = agent_client.get(url(ticket)).content.decode()
    assert '<div class="message-html"><p>The <b>formatted</b> one</p>' in html
    assert '<blockquote class="quoted">earlier</blockquote>' in html


def test_attachments_are_listed_with_size_and_the_omitted_one_says_why(
    agent_client, ticket, conversation
):
    html = agent_client.get(url(ticket)).content.decode()
    stored, omitted = Attachment.objects.order_by("pk")
    assert reverse("console:ticket_attachment", args=[ticket.pk, stored.pk]) in html
    assert "screen.png" in html
    assert "2.0\xa0KB" in html
    assert "video.mov" in html
    assert "50.0\xa0MB, over the size limit, not stored" in html
    assert reverse("console:ticket_attachment", args=[ticket.pk, omitted.pk]) not in html


def test_an_attachment_downloads_as_a_sandboxed_file(agent_client, ticket, conversation, client_c):
    stored, omitted = Attachment.objects.order_by("pk")
    response = agent_client.get(reverse("console:ticket_attachment", args=[ticket.pk, stored.pk]))
    assert response.status_code == 200
    assert response.content == b"\x89PNG fake"
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="screen.png"'
    assert response["Content-Security-Policy"] == "sandbox"
    gone = agent_client.get(reverse("console:ticket_attachment", args=[ticket.pk, omitted.pk]))
    assert gone.status_code == 404
    # An attachment is reachable only under its own ticket.
    other = open_ticket(client_c)
    wrong = agent_client.get(reverse("console:ticket_attachment", args=[other.pk, stored.pk]))
    assert wrong.status_code == 404


def test_a_strange_declared_type_downloads_as_plain_bytes(agent_client, ticket, conversation):
    Attachment.objects.filter(filename="screen.png").update(content_type="text/html; x=<y>")
    stored = Attachment.objects.get(filename="screen.png")
    response = agent_client.get(reverse("console:ticket_attachment", args=[ticket.pk, stored.pk]))
    assert response["Content-Type"] == "application/octet-stream"


def _queries(http, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert http.get(path).status_code == 200
    return len(captured.captured_queries)


def test_the_page_is_built_in_a_fixed_number_of_queries(
    agent_client, ticket, conversation, agent, django_assert_max_num_queries
):
    few = _queries(agent_client, url(ticket))
    for i in range(20):
        message = ticket_note(ticket=ticket, author=agent, text=f"note {i}", now=TUESDAY_10AM)
        Attachment.objects.create(
            message=message, filename=f"{i}.txt", content_type="text/plain", size=1, content=b"x"
        )
        ticket_clock_pause(ticket=ticket, reason="waiting_on_client", actor=agent, now=TUESDAY_10AM)
        ticket_clock_resume(ticket=ticket, actor=agent, now=TUESDAY_10AM)
    assert _queries(agent_client, url(ticket)) == few
    with django_assert_max_num_queries(12):
        agent_client.get(url(ticket))


def test_classification_shows_class_reasons_clause_and_policy_version(agent_client, client_a):
    ticket = open_ticket(client_a, "Could you build us a new feature for booking?")
    html = agent_client.get(url(ticket)).content.decode()
    assert "badge-class-out_of_scope" in html
    assert "New feature development" in html
    assert "(new feature development, quoted separately)</li>" in html  # the reasons
    assert "<dt>Clause</dt>\n    <dd>02</dd>" in html
    assert f"<dd>{ticket.policy_version.version}</dd>" in html


@time_machine.travel(MONDAY_NOON, tick=False)
def test_the_clock_shows_target_and_limit_for_client_and_agent(agent_client, ticket):
    html = agent_client.get(url(ticket)).content.decode()
    # Target Wed 2 Dec 17:00 New York; limit Thu 3 Dec 17:00; the server's zone is UTC.
    assert "Wed 2 Dec 2026, 17:00 EST" in html
    assert "Wed 2 Dec 2026, 22:00 UTC" in html
    assert "Thu 3 Dec 2026, 17:00 EST" in html
    assert "Thu 3 Dec 2026, 22:00 UTC" in html
    assert 'data-countdown-to="2026-12-02T22:00:00+00:00"' in html
    assert "2\xa0days, 5\xa0hours left" in html


def test_an_unmatched_ticket_shows_only_the_agents_time(agent_client):
    ticket = open_ticket(None)
    html = agent_client.get(url(ticket)).content.decode()
    assert '<span class="zone-name">Client</span>' not in html
    assert '<span class="zone-name">You</span>' in html


def test_paused_intervals_are_listed(agent_client, ticket, agent):
    ticket_clock_pause(
        ticket=ticket, reason="waiting_on_client", actor=agent, now=ny(2026, 12, 1, 11, 0)
    )
    ticket_clock_resume(ticket=ticket, actor=agent, now=ny(2026, 12, 1, 13, 0))
    ticket_clock_pause(
        ticket=ticket, reason="waiting_on_client", actor=agent, now=ny(2026, 12, 1, 14, 0)
    )
    html = agent_client.get(url(ticket)).content.decode()
    pauses = re.search(r'<ul class="plain-list pauses">.*?</ul>', html, re.DOTALL).group(0)
    assert pauses.count("Waiting on the client") == 2
    assert "Tue 1 Dec, 16:00 UTC" in pauses
    assert "Tue 1 Dec, 18:00 UTC" in pauses
    assert "still paused" in pauses


def test_history_lists_events_with_who_and_the_policy(agent_client, ticket, agent):
    ticket_clock_pause(
        ticket=ticket, reason="waiting_on_client", actor=agent, now=ny(2026, 12, 1, 11, 0)
    )
    html = agent_client.get(url(ticket)).content.decode()
    history = re.search(r'<ol class="history">.*?</ol>', html, re.DOTALL).group(0)
    assert "Opened from alice@acme-dental.example" in history
    assert "Classified as General under clause 01" in history
    assert f"policy {ticket.policy_version.version}" in history
    assert "Clock paused: Waiting on the client" in history
    assert "by Avery Agent" in history


def test_history_says_why_a_ticket_got_no_acknowledgement(agent_client, client_a):
    from operant.mail.services import mail_ingest

    raw = (
        b"From: Billing <noreply@acme-dental.example>\r\nTo: support@operantco.com\r\n"
        b"Subject: Your invoice\r\nMessage-ID: <inv-1@acme-dental.example>\r\n\r\nAttached.\r\n"
    )
    outcome = mail_ingest(raw=raw, channel="file", now=TUESDAY_10AM)
    ticket = Ticket.objects.get(pk=int(outcome.ticket_ref.split("-")[1]))
    html = agent_client.get(url(ticket)).content.decode()
    history = re.search(r'<ol class="history">.*?</ol>', html, re.DOTALL).group(0)
    assert "No acknowledgement sent: robot sender (noreply@acme-dental.example)" in history


def test_an_unknown_ticket_is_404(agent_client):
    assert agent_client.get("/console/tickets/OPR-999/").status_code == 404
    assert agent_client.get("/console/tickets/999/").status_code == 404


# ---- actions ----------------------------------------------------------------------------------


# Two hours after the request: well before its first-response target (Wednesday 17:00).
@pytest.mark.time_machine(TUESDAY_10AM + dt.timedelta(hours=2))
def test_a_reply_is_sent_shown_and_stops_the_clock_without_a_reload(agent_client, ticket):
    response = agent_client.post(url(ticket, "reply"), {"text": "Here is how."}, headers=HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Here is how." in oob_panel(html, "conversation")
    assert "message-outbound" in oob_panel(html, "conversation")
    # The composer comes back empty; the clock, state and history are fresh.
    assert "Here is how." not in oob_panel(html, "composer")
    assert "badge-clock-met" in oob_panel(html, "clock")
    assert "Waiting on client" in oob_panel(html, "ticket-head")
    assert "Replied to the client" in oob_panel(html, "history")
    assert "<html" not in html
    notification = Notification.objects.get(kind="desk.reply")
    assert notification.to == ["alice@acme-dental.example"]
    assert "Here is how." in notification.body_text
    ticket.refresh_from_db()
    assert ticket.state == TicketState.WAITING
    assert ticket.clock_state == ClockState.MET


def test_a_reply_without_text_is_a_form_error_and_keeps_nothing(agent_client, ticket):
    response = agent_client.post(url(ticket, "reply"), {"text": "   "}, headers=HX)
    assert response.status_code == 200
    composer = oob_panel(response.content.decode(), "composer")
    assert "A reply needs some text" in composer
    assert 'role="alert"' in composer
    assert not Message.objects.filter(kind=MessageKind.OUTBOUND).exists()
    assert not Notification.objects.filter(kind="desk.reply").exists()


def test_without_htmx_a_reply_redirects_and_an_error_renders_the_page(agent_client, ticket):
    ok = agent_client.post(url(ticket, "reply"), {"text": "Plain form"})
    assert ok.status_code == 302
    assert ok["Location"] == url(ticket) + "#composer"
    bad = agent_client.post(url(ticket, "note"), {"text": ""})
    assert bad.status_code == 400
    assert "<html" in bad.content.decode()
    assert "A note needs some text" in bad.content.decode()


def test_a_note_is_internal(agent_client, ticket):
    response = agent_client.post(url(ticket, "note"), {"text": "Check the logs"}, headers=HX)
    assert "message-note" in oob_panel(response.content.decode(), "conversation")
    assert Message.objects.get(kind=MessageKind.NOTE).text == "Check the logs"
    assert not Notification.objects.filter(kind="desk.reply").exists()


def test_a_failed_reply_keeps_the_text_typed(agent_client, ticket):
    long = "x" * 20_001
    response = agent_client.post(url(ticket, "reply"), {"text": long}, headers=HX)
    composer = oob_panel(response.content.decode(), "composer")
    assert "at most 20000 characters" in composer
    assert long in composer


def test_reclassify_in_one_click_recomputes_the_clock(agent_client, ticket):
    response = agent_client.post(url(ticket, "reclassify"), {"request_class": "outage"}, headers=HX)
    html = response.content.decode()
    ticket.refresh_from_db()
    assert ticket.request_class == "outage"
    assert ticket.target_at == ny(2026, 12, 1, 17, 0)
    assert "Tue 1 Dec 2026, 17:00 EST" in oob_panel(html, "clock")
    assert 'aria-pressed="true"' in oob_panel(html, "classification")
    assert "badge-class-outage" in oob_panel(html, "ticket-head")
    assert "Reclassified from General to Outage (clause 03)" in oob_panel(html, "history")


def test_out_of_scope_takes_a_category_and_the_service_says_when_it_is_missing(
    agent_client, ticket
):
    response = agent_client.post(
        url(ticket, "reclassify"), {"request_class": "out_of_scope"}, headers=HX
    )
    panel = oob_panel(response.content.decode(), "classification")
    assert "Out_of_scope needs a scope category" in panel
    agent_client.post(
        url(ticket, "reclassify"),
        {"request_class": "out_of_scope", "scope_category": "migration"},
        headers=HX,
    )
    ticket.refresh_from_db()
    assert (ticket.request_class, ticket.scope_category) == ("out_of_scope", "migration")


def test_an_unknown_class_is_a_form_error(agent_client, ticket):
    response = agent_client.post(url(ticket, "reclassify"), {"request_class": "x"}, headers=HX)
    assert response.status_code == 200
    assert "Select a valid choice" in oob_panel(response.content.decode(), "classification")


def test_assign_to_me_to_a_colleague_and_to_nobody(agent_client, ticket, agent, alice):
    from operant.accounts.services import agent_create

    olive = agent_create(
        email="olive@operant.test", name="Olive Other", password="x" * 12, role="operator"
    )
    html = agent_client.get(url(ticket)).content.decode()
    assert f'<option value="{agent.pk}">Me (Avery Agent)</option>' in html
    assignees = re.search(r'<select name="assignee">.*?</select>', html, re.DOTALL).group(0)
    assert "Olive Other" in assignees
    assert "Alice Adams" not in assignees  # a client user is nobody's assignee

    response = agent_client.post(url(ticket, "assign"), {"assignee": agent.pk}, headers=HX)
    assert "Assigned to Avery Agent" in oob_panel(response.content.decode(), "ticket-head")
    agent_client.post(url(ticket, "assign"), {"assignee": olive.pk}, headers=HX)
    ticket.refresh_from_db()
    assert ticket.assignee == olive
    agent_client.post(url(ticket, "assign"), {"assignee": ""}, headers=HX)
    ticket.refresh_from_db()
    assert ticket.assignee is None
    refused = agent_client.post(url(ticket, "assign"), {"assignee": alice.pk}, headers=HX)
    assert "Select a valid choice" in oob_panel(refused.content.decode(), "status")


def test_solve_and_reopen(agent_client, ticket):
    response = agent_client.post(url(ticket, "state"), {"state": "solved"}, headers=HX)
    assert ">Reopen<" in oob_panel(response.content.decode(), "status")
    ticket.refresh_from_db()
    assert ticket.state == TicketState.SOLVED
    response = agent_client.post(url(ticket, "state"), {"state": "open"}, headers=HX)
    assert ">Mark solved<" in oob_panel(response.content.decode(), "status")
    assert "State changed from Solved to Open" in oob_panel(response.content.decode(), "history")


def test_pause_and_resume_the_clock_and_errors_show_in_the_panel(agent_client, ticket):
    pause = {"action": "pause", "reason": "waiting_on_client"}
    response = agent_client.post(url(ticket, "clock"), pause, headers=HX)
    clock = oob_panel(response.content.decode(), "clock")
    assert "badge-clock-paused" in clock
    assert ">Resume clock<" in clock
    ticket.refresh_from_db()
    assert (ticket.clock_state, ticket.pause_reason) == ("paused", "waiting_on_client")

    # Pausing twice (two tabs): the service's refusal, shown in the panel, not a 500.
    again = agent_client.post(url(ticket, "clock"), pause, headers=HX)
    assert again.status_code == 200
    assert "The clock is paused, not running" in oob_panel(again.content.decode(), "clock")

    response = agent_client.post(url(ticket, "clock"), {"action": "resume"}, headers=HX)
    assert "badge-clock-running" in oob_panel(response.content.decode(), "clock")
    assert ticket.pauses.get().ended_at is not None


def test_a_pause_needs_a_reason(agent_client, ticket):
    response = agent_client.post(url(ticket, "clock"), {"action": "pause"}, headers=HX)
    assert "Say why the clock stops" in oob_panel(response.content.decode(), "clock")
    ticket.refresh_from_db()
    assert ticket.clock_state == ClockState.RUNNING


def test_an_unmatched_ticket_can_be_filed_under_a_client(agent_client, client_a, agent):
    ticket = open_ticket(None, requester="someone@new-domain.example")
    html = agent_client.get(url(ticket)).content.decode()
    assert "Assign to client" in html
    assert '<option value="acme-dental">Acme Dental</option>' in html
    target_before = ticket.target_at

    response = agent_client.post(url(ticket, "client"), {"client": "acme-dental"}, headers=HX)
    html = response.content.decode()
    assert "Acme Dental" in oob_panel(html, "status")
    assert "Assign to client" not in oob_panel(html, "status")
    assert "Filed under client acme-dental" in oob_panel(html, "history")
    assert "EST" in oob_panel(html, "clock")  # now shown on the client's wall clock too
    ticket.refresh_from_db()
    assert ticket.client == client_a
    assert ticket.target_at == target_before  # nothing recomputed
    event = ticket.events.get(kind="client_assigned")
    assert event.actor == agent


def test_a_matched_ticket_offers_no_client_control_and_refuses_the_same_client(
    agent_client, ticket
):
    assert "Assign to client" not in agent_client.get(url(ticket)).content.decode()
    response = agent_client.post(url(ticket, "client"), {"client": "acme-dental"}, headers=HX)
    assert "already filed under Acme Dental" in oob_panel(response.content.decode(), "status")


def test_actions_answer_only_to_post(agent_client, ticket):
    for action in ("reply", "note", "reclassify", "assign", "state", "clock", "client"):
        assert agent_client.get(url(ticket, action)).status_code == 405, action


def test_an_action_on_an_unknown_ticket_is_404(agent_client):
    response = agent_client.post("/console/tickets/OPR-999/reply/", {"text": "x"}, headers=HX)
    assert response.status_code == 404


# ---- who may ----------------------------------------------------------------------------------

PAGES = ["", "attachment"]
ACTIONS = ["reply", "note", "reclassify", "assign", "state", "clock", "client"]


def _all_urls(ticket: Ticket, attachment: Attachment) -> list[tuple[str, str]]:
    urls = [("get", url(ticket))]
    urls.append(("get", reverse("console:ticket_attachment", args=[ticket.pk, attachment.pk])))
    urls += [("post", url(ticket, action)) for action in ACTIONS]
    return urls


def test_client_users_are_refused_everything_and_change_nothing(
    alice_client, charlie_client, ticket, conversation
):
    attachment = Attachment.objects.filter(content__isnull=False).get()
    before = (ticket.events.count(), Message.objects.count())
    for http in (alice_client, charlie_client):
        for method, path in _all_urls(ticket, attachment):
            data = {"text": "hi", "request_class": "outage", "state": "solved"}
            response = getattr(http, method)(path, data if method == "post" else None)
            assert response.status_code == 403, (method, path)
            assert b"screen.png" not in response.content
    assert (ticket.events.count(), Message.objects.count()) == before


def test_visitors_are_sent_to_login(client, ticket, conversation):
    attachment = Attachment.objects.filter(content__isnull=False).get()
    for method, path in _all_urls(ticket, attachment):
        response = getattr(client, method)(path)
        assert response.status_code == 302, (method, path)
        assert response["Location"].startswith(reverse("login")), path
