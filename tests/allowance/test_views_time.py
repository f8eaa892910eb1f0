"""The time panel on the agent's ticket page: log, refuse, split, edit, remove."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from operant.allowance.ledger import allowance_balance
from operant.allowance.models import EntryKind, TimeEntry
from operant.allowance.services import time_log
from tests.allowance.conftest import DECEMBER, MID_DECEMBER

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _mid_december():
    with time_machine.travel(MID_DECEMBER, tick=False):
        yield


def url(ticket, name: str | None = None, *args: int) -> str:
    """The ticket page; with ``name`` ("" for the panel, "_log", "_edit"...) a time URL."""
    if name is None:
        return reverse("console:ticket", args=[ticket.pk])
    return reverse(f"console:ticket_time{name}", args=[ticket.pk, *args])


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def logged(ticket, agent, minutes, kind=EntryKind.ADJUSTMENT):
    return time_log(ticket=ticket, agent=agent, minutes=minutes, kind=kind, now=MID_DECEMBER)


def test_the_ticket_page_shows_the_panel_with_totals_and_the_allowance(agent_client, ticket, agent):
    logged(ticket, agent, 10)
    logged(ticket, agent, 45, EntryKind.UNCHARGED)
    page = agent_client.get(url(ticket))
    assert page.status_code == 200
    text = text_of(page.content.decode())
    assert "Acme Dental, December 2026 (America/New_York): 20 of 30 allowance minutes left" in text
    assert "Minor adjustment (allowance) 10 min" in text
    assert "Support, not charged 45 min" in text
    assert "Total 55 min" in text
    assert 'id="time"' in page.content.decode()


@pytest.mark.parametrize("who", ["alice_client", "charlie_client"])
def test_client_users_are_refused_everywhere(request, ticket, agent, who):
    http = request.getfixturevalue(who)
    entry = logged(ticket, agent, 5)
    assert http.get(url(ticket, "")).status_code == 403
    assert http.get(url(ticket)).status_code == 403
    form = {"minutes": "5", "kind": "adjustment"}
    assert http.post(url(ticket, "_log"), form).status_code == 403
    assert http.post(url(ticket, "_split"), form).status_code == 403
    assert http.post(url(ticket, "_edit", entry.pk), form).status_code == 403
    assert http.post(url(ticket, "_delete", entry.pk)).status_code == 403
    assert TimeEntry.objects.count() == 1
    assert TimeEntry.objects.get().deleted_at is None


def test_anonymous_visitors_are_sent_to_log_in(client, ticket):
    response = client.post(url(ticket, "_log"), {"minutes": "5", "kind": "adjustment"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login")


def test_logging_with_htmx_answers_with_the_panel(agent_client, ticket, agent):
    response = agent_client.post(
        url(ticket, "_log"),
        {"minutes": "12", "kind": "adjustment", "work_date": "2026-12-15", "note": "footer"},
        headers=HX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="time"')
    text = text_of(html)
    assert "Logged 12 minutes (minor adjustment (allowance))." in text
    assert "18 of 30 allowance minutes left" in text
    entry = TimeEntry.objects.get()
    assert (entry.minutes, entry.work_date, entry.note, entry.agent) == (
        12,
        dt.date(2026, 12, 15),
        "footer",
        agent,
    )


def test_logging_without_javascript_comes_back_to_the_ticket(agent_client, ticket):
    response = agent_client.post(url(ticket, "_log"), {"minutes": "12", "kind": "uncharged"})
    assert response.status_code == 302
    assert response["Location"] == url(ticket) + "#time"


def test_a_refusal_without_javascript_shows_the_page_with_the_reason(agent_client, ticket):
    response = agent_client.post(url(ticket, "_log"), {"minutes": "900", "kind": "uncharged"})
    assert response.status_code == 400
    text = text_of(response.content.decode())
    assert "Minutes must be from 1 to 600" in text
    assert "First-response clock" in text  # the whole ticket page
    assert not TimeEntry.objects.exists()


@pytest.mark.parametrize(
    ("form", "why"),
    [
        ({"minutes": "-5", "kind": "adjustment"}, "Minutes must be from 1 to 600"),
        ({"minutes": "abc", "kind": "adjustment"}, "Minutes: Enter a whole number."),
        ({"minutes": "5", "kind": "adjustment", "work_date": "2026-12-24"}, "in the future"),
        ({"minutes": "5", "kind": "quoted"}, "Quoted time needs the accepted quote"),
    ],
)
def test_bad_input_is_shown_in_the_panel_and_kept(agent_client, ticket, form, why):
    response = agent_client.post(url(ticket, "_log"), form, headers=HX)
    html = response.content.decode()
    assert why in text_of(html)
    assert f'name="minutes" value="{form["minutes"]}"' in html
    assert not TimeEntry.objects.exists()


def test_an_overdraft_offers_to_log_what_fits_and_quote_the_rest(agent_client, ticket, agent):
    logged(ticket, agent, 20)
    refused = agent_client.post(
        url(ticket, "_log"),
        {"minutes": "25", "kind": "adjustment", "note": "new footer"},
        headers=HX,
    )
    text = text_of(refused.content.decode())
    assert "Only 10 of the 30 allowance minutes for December 2026 remain, not 25" in text
    assert "Log the 10 minutes that fit, quote the other 15" in text
    assert TimeEntry.objects.count() == 1
    split = agent_client.post(
        url(ticket, "_split"),
        {"minutes": "25", "work_date": "", "note": "new footer"},
        headers=HX,
    )
    html = split.content.decode()
    assert "Logged the 10 minutes that fit the allowance." in text_of(html)
    quote_new = reverse("console:quote_new") + f"?ticket={ticket.ref}&amp;minutes=15"
    assert f'href="{quote_new}"' in html
    assert allowance_balance(client=ticket.client, month=DECEMBER).remaining_minutes == 0
    assert TimeEntry.objects.filter(note="new footer").get().minutes == 10


def test_an_overdraft_of_a_used_up_month_links_straight_to_a_quote(agent_client, ticket, agent):
    logged(ticket, agent, 30)
    html = agent_client.post(
        url(ticket, "_log"), {"minutes": "40", "kind": "adjustment"}, headers=HX
    ).content.decode()
    assert "allowance for December 2026 is used up" in text_of(html)
    assert reverse("console:quote_new") + f"?ticket={ticket.ref}&amp;minutes=40" in html


def test_editing_an_entry_records_its_history(agent_client, ticket, agent):
    entry = logged(ticket, agent, 10)
    response = agent_client.post(
        url(ticket, "_edit", entry.pk),
        {"minutes": "15", "kind": "adjustment", "work_date": "2026-12-16", "note": "both"},
        headers=HX,
    )
    text = text_of(response.content.decode())
    assert "Entry updated." in text
    assert "edited by Avery Agent: minutes 10 → 15; note — → both" in text
    entry.refresh_from_db()
    assert (entry.minutes, entry.note) == (15, "both")


def test_an_edit_that_would_overdraw_is_refused_in_the_panel(agent_client, ticket, agent):
    entry = logged(ticket, agent, 10)
    logged(ticket, agent, 20)
    response = agent_client.post(
        url(ticket, "_edit", entry.pk), {"minutes": "11", "kind": "adjustment"}, headers=HX
    )
    assert "Only 10 of the 30 allowance minutes" in text_of(response.content.decode())
    entry.refresh_from_db()
    assert entry.minutes == 10


def test_removing_an_entry_strikes_it_through(agent_client, ticket, agent):
    entry = logged(ticket, agent, 10)
    html = agent_client.post(url(ticket, "_delete", entry.pk), headers=HX).content.decode()
    assert "Removed the 10-minute entry of 2026-12-16." in text_of(html)
    assert "time-entry-removed" in html
    assert "Total 0 min" in text_of(html)
    entry.refresh_from_db()
    assert entry.deleted_at is not None


def test_an_entry_of_another_ticket_is_not_found(agent_client, ticket, agent, ticket_for, acme):
    other = logged(ticket_for(acme, subject="Other"), agent, 10)
    response = agent_client.post(url(ticket, "_delete", other.pk), headers=HX)
    assert response.status_code == 404
    assert TimeEntry.objects.get().deleted_at is None


def test_a_ticket_without_client_explains_why_no_time_can_be_logged(agent_client, ticket_for):
    stray = ticket_for(None)
    text = text_of(agent_client.get(url(stray)).content.decode())
    assert "File the ticket under a client to log time" in text
    form = {"minutes": "5", "kind": "uncharged"}
    response = agent_client.post(url(stray, "_log"), form, headers=HX)
    assert "is not filed under a client" in text_of(response.content.decode())


def test_the_panel_alone_can_be_fetched(agent_client, ticket):
    response = agent_client.get(url(ticket, ""))
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<section id="time"')


def test_an_estimate_over_the_minor_limit_reclassifies_the_ticket(agent_client, ticket) -> None:
    from django.urls import reverse

    assert ticket.request_class == "adjustment"
    url = reverse("console:ticket_time_estimate", args=[ticket.pk])
    response = agent_client.post(url, {"estimate_minutes": 90})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.request_class, ticket.scope_category) == ("out_of_scope", "significant_change")
    assert any("over the 30-minute limit" in reason for reason in ticket.classification_reasons)


def test_an_estimate_within_the_allowance_changes_nothing(agent_client, ticket) -> None:
    from django.urls import reverse

    url = reverse("console:ticket_time_estimate", args=[ticket.pk])
    response = agent_client.post(url, {"estimate_minutes": 10}, HTTP_HX_REQUEST="true")
    assert b"Within the allowance" in response.content
    ticket.refresh_from_db()
    assert ticket.request_class == "adjustment"


def test_client_users_cannot_check_estimates(alice_client, charlie_client, ticket) -> None:
    from django.urls import reverse

    url = reverse("console:ticket_time_estimate", args=[ticket.pk])
    for http in (alice_client, charlie_client):
        assert http.post(url, {"estimate_minutes": 90}).status_code == 403
    ticket.refresh_from_db()
    assert ticket.request_class == "adjustment"
