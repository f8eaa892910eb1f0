"""The agent inbox: due-first queue, rows, filters, pagination, flagged mail, refusals."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from operant.desk.models import Ticket
from operant.desk.services import (
    ticket_assign,
    ticket_clock_pause,
    ticket_reply,
    ticket_set_state,
)
from operant.mail.models import InboundMessage
from tests.web.ticket_helpers import (
    ADJUSTMENT,
    NEW_FEATURE,
    OUTAGE,
    TUESDAY_10AM,
    ny,
    open_ticket,
)

pytestmark = pytest.mark.django_db

URL = "/console/inbox/"
# Monday 30 November 2026, noon in New York: before every target of the tickets below.
MONDAY_NOON = dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.UTC)


def refs(response) -> list[str]:
    return [row.ticket.ref for row in response.context["rows"]]


def row_html(html: str, ticket: Ticket) -> str:
    match = re.search(rf'<tr[^>]*data-ref="{ticket.ref}".*?</tr>', html, re.DOTALL)
    assert match, f"no row for {ticket.ref}"
    return match.group(0)


@pytest.fixture
def queue(client_a, client_c, agent):
    """Six tickets whose queue order is known.

    Due (open, clock counting down), by target: the outage (Tue 17:00), then the two general
    requests (both Wed 17:00: the one received first goes first). Then the rest by last activity:
    the solved ticket (changed Thu), the paused one (Wed 9:00), the answered one (Tue 11:00).
    """
    outage = open_ticket(client_a, OUTAGE, subject="Texts are down")
    general = open_ticket(client_c, subject="How do reminders work?")
    later = open_ticket(None, subject="Hello from a stranger", at=ny(2026, 12, 1, 10, 30))
    answered = open_ticket(client_a, ADJUSTMENT, subject="Typo", at=ny(2026, 11, 30, 9, 0))
    ticket_reply(ticket=answered, author=agent, text="Fixed.", now=ny(2026, 12, 1, 11, 0))
    paused = open_ticket(client_c, subject="Waiting on them", at=ny(2026, 11, 30, 8, 0))
    ticket_clock_pause(
        ticket=paused, reason="waiting_on_client", actor=agent, now=ny(2026, 12, 2, 9, 0)
    )
    solved = open_ticket(client_a, subject="All done", at=ny(2026, 11, 30, 7, 0))
    ticket_set_state(ticket=solved, state="solved", actor=agent, now=ny(2026, 12, 3, 9, 0))
    return {
        "outage": outage,
        "general": general,
        "later": later,
        "answered": answered,
        "paused": paused,
        "solved": solved,
    }


@time_machine.travel(MONDAY_NOON, tick=False)
def test_lists_what_is_due_first_then_the_rest_by_latest_activity(agent_client, queue):
    response = agent_client.get(URL)
    assert response.status_code == 200
    expected = ["outage", "general", "later", "solved", "paused", "answered"]
    assert refs(response) == [queue[name].ref for name in expected]


@time_machine.travel(MONDAY_NOON, tick=False)
def test_a_row_shows_ref_subject_client_class_state_clock_countdown_and_assignee(
    agent_client, queue, agent, client_a
):
    outage = queue["outage"]
    ticket_assign(ticket=outage, assignee=agent, actor=agent, now=TUESDAY_10AM)
    html = agent_client.get(URL).content.decode()
    row = row_html(html, outage)
    assert outage.ref in row
    assert "Texts are down" in row
    assert reverse("console:ticket", args=[outage.pk]) in row
    assert "Acme Dental" in row
    assert 'class="badge badge-class-outage"' in row
    assert ">Outage<" in row
    assert "badge-state-open" in row
    assert "badge-clock-running" in row
    # The countdown: an ISO target for the script, and words for a browser without it.
    assert 'data-countdown-to="2026-12-01T22:00:00+00:00"' in row
    assert "1\xa0day, 5\xa0hours left" in row
    assert "Avery Agent" in row
    assert "{%" not in html
    assert "{#" not in html


@time_machine.travel(dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC), tick=False)
def test_a_missed_target_reads_overdue(agent_client, queue):
    row = row_html(agent_client.get(URL).content.decode(), queue["outage"])
    assert "overdue by 14\xa0hours" in row
    assert "is-overdue" in row


def test_unmatched_tickets_say_so_and_a_scope_category_shows_beside_its_class(
    agent_client, client_a
):
    stranger = open_ticket(None, subject="Who am I")
    feature = open_ticket(client_a, NEW_FEATURE, subject="Booking")
    html = agent_client.get(URL).content.decode()
    assert "unmatched" in row_html(html, stranger)
    assert "stranger@example.net" in row_html(html, stranger)
    row = row_html(html, feature)
    assert ">Out of scope<" in row
    assert "New feature development" in row  # the policy's words for the category


def test_tickets_that_need_no_countdown_show_none(agent_client, queue):
    html = agent_client.get(URL).content.decode()
    for name in ("answered", "paused"):
        assert "data-countdown-to" not in row_html(html, queue[name]), name
    assert "badge-clock-paused" in row_html(html, queue["paused"])
    assert "badge-clock-met" in row_html(html, queue["answered"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?request_class=outage", ["outage"]),
        ("?request_class=adjustment", ["answered"]),
        ("?client=cobalt-gym", ["general", "paused"]),
        ("?state=waiting", ["answered"]),
        ("?state=solved", ["solved"]),
        ("?unmatched=on", ["later"]),
        ("?client=acme-dental&state=open", ["outage"]),
        # Invalid values filter nothing instead of failing the page.
        (
            "?request_class=bogus&client=nobody",
            ["outage", "general", "later", "solved", "paused", "answered"],
        ),
    ],
)
@time_machine.travel(MONDAY_NOON, tick=False)
def test_filters_by_class_client_state_and_unmatched(agent_client, queue, query, expected):
    response = agent_client.get(URL + query)
    assert refs(response) == [queue[name].ref for name in expected]


def test_assigned_to_me_shows_only_my_tickets(agent_client, queue, agent):
    from operant.accounts.services import agent_create

    other = agent_create(
        email="olive@operant.test", name="Olive Other", password="x" * 12, role="agent"
    )
    ticket_assign(ticket=queue["general"], assignee=agent, actor=agent, now=TUESDAY_10AM)
    ticket_assign(ticket=queue["outage"], assignee=other, actor=agent, now=TUESDAY_10AM)
    assert refs(agent_client.get(URL + "?mine=on")) == [queue["general"].ref]


def test_flagged_lists_flagged_tickets_and_mail_that_could_not_be_parsed(agent_client, queue):
    Ticket.objects.filter(pk=queue["general"].pk).update(
        flagged=True, flag_reason="our email to the client bounced"
    )
    broken = InboundMessage.objects.create(
        dedupe_key="broken-1",
        raw=b"\x00\xffnot a mail at all",
        size=18,
        channel="smtp",
        received_at=TUESDAY_10AM,
        flagged=True,
        problems=["headers: could not be read (ValueError)"],
        from_address="",
        subject="",
    )
    InboundMessage.objects.create(
        dedupe_key="fine-1", raw=b"Subject: fine\r\n\r\nok", size=20, channel="smtp",
        received_at=TUESDAY_10AM, subject="fine",
    )  # fmt: skip
    response = agent_client.get(URL + "?flagged=on")
    assert refs(response) == [queue["general"].ref]
    html = response.content.decode()
    assert "Mail that could not be processed" in html
    assert "headers: could not be read (ValueError)" in html
    assert reverse("console:inbound", args=[broken.pk]) in html
    assert reverse("console:inbound_raw", args=[broken.pk]) in html
    assert [mail.pk for mail in response.context["flagged_mail"]] == [broken.pk]
    # Without the filter the mail list is not there at all.
    assert "Mail that could not be processed" not in agent_client.get(URL).content.decode()


def test_the_raw_message_can_be_read_and_downloaded(agent_client):
    raw = b"From: <x@example.net>\r\nSubject: =?broken\r\n\r\n<script>alert(1)</script>\xff"
    mail = InboundMessage.objects.create(
        dedupe_key="raw-1", raw=raw, size=len(raw), channel="imap", received_at=TUESDAY_10AM,
        flagged=True, problems=["subject: bad encoded word"], subject="=?broken",
    )  # fmt: skip
    page = agent_client.get(reverse("console:inbound", args=[mail.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "subject: bad encoded word" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown, never run
    assert "<script>alert(1)" not in html
    download = agent_client.get(reverse("console:inbound_raw", args=[mail.pk]))
    assert download.status_code == 200
    assert download.content == raw
    assert download["Content-Type"] == "message/rfc822"
    assert download["Content-Disposition"] == f'attachment; filename="inbound-{mail.pk}.eml"'
    assert agent_client.get(reverse("console:inbound", args=[mail.pk + 99])).status_code == 404


def test_htmx_requests_get_only_the_results_fragment(agent_client, queue):
    response = agent_client.get(URL + "?request_class=outage", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="inbox-results"')
    assert "<html" not in html
    assert "<form" not in html
    assert "Texts are down" in html
    assert "How do reminders work?" not in html
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(agent_client):
    response = agent_client.get(
        URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


def test_the_full_page_has_filters_wired_to_swap_the_table_and_push_the_url(agent_client):
    html = agent_client.get(URL).content.decode()
    assert 'hx-get="/console/inbox/"' in html
    assert 'hx-target="#inbox-results"' in html
    assert 'hx-push-url="true"' in html
    for name in ("request_class", "client", "state", "unmatched", "flagged", "mine"):
        assert f'name="{name}"' in html, name


def test_pages_of_fifty_keep_the_filters_in_their_links(agent_client, client_a):
    for i in range(51):
        open_ticket(client_a, subject=f"Question {i}", at=ny(2026, 11, 2, 9, 0) + dt.timedelta(
            minutes=i))  # fmt: skip
    first = agent_client.get(URL + "?client=acme-dental")
    assert len(first.context["rows"]) == 50
    html = first.content.decode()
    assert "51 tickets" in html
    assert "/console/inbox/?client=acme-dental&amp;page=2" in html
    second = agent_client.get(URL + "?client=acme-dental&page=2")
    assert len(second.context["rows"]) == 1
    assert set(refs(first)).isdisjoint(refs(second))
    # A page past the end shows the last page, not an error.
    assert refs(agent_client.get(URL + "?client=acme-dental&page=99")) == refs(second)


def _queries(http, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert http.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_rows(
    agent_client, client_a, client_c, agent, django_assert_max_num_queries
):
    url = URL + "?flagged=on&state=open"
    for client in (client_a, client_c, None):
        ticket = open_ticket(client)
        ticket_assign(ticket=ticket, assignee=agent, actor=agent, now=TUESDAY_10AM)
    Ticket.objects.update(flagged=True)
    InboundMessage.objects.create(
        dedupe_key="b0", raw=b"x", size=1, channel="smtp", received_at=TUESDAY_10AM, flagged=True
    )
    few = _queries(agent_client, url)
    for i in range(30):
        ticket = open_ticket((client_a, client_c, None)[i % 3], subject=f"More {i}")
        ticket_assign(ticket=ticket, assignee=agent, actor=agent, now=TUESDAY_10AM)
        InboundMessage.objects.create(
            dedupe_key=f"b{i + 1}", raw=b"x", size=1, channel="smtp",
            received_at=TUESDAY_10AM, flagged=True,
        )  # fmt: skip
    Ticket.objects.update(flagged=True)
    assert _queries(agent_client, url) == few
    with django_assert_max_num_queries(8):
        agent_client.get(url, headers={"HX-Request": "true"})


def test_the_console_menu_links_the_inbox(agent_client):
    html = agent_client.get(URL).content.decode()
    assert '<a href="/console/inbox/" aria-current="page">Inbox</a>' in html


@pytest.mark.parametrize(
    "path",
    [URL, URL + "?flagged=on", "/console/mail/1/", "/console/mail/1/raw/"],
)
def test_client_users_are_refused_and_visitors_sent_to_login(
    alice_client, charlie_client, client, path
):
    InboundMessage.objects.create(
        pk=1, dedupe_key="k", raw=b"x", size=1, channel="smtp", received_at=TUESDAY_10AM
    )
    for http in (alice_client, charlie_client):
        assert http.get(path).status_code == 403
        assert http.get(path, headers={"HX-Request": "true"}).status_code == 403
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
