"""The agent's quote pages: list, new from a ticket, lines (HTMX), send, answers, history.
Client contacts (alice, charlie) are refused every one of them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from operant.quotes.models import Quote
from operant.quotes.services import quote_reply_acceptance_record
from tests.quotes.conftest import SENT

pytestmark = pytest.mark.django_db


def _url(name: str, quote: Quote, *args: int) -> str:
    return reverse(f"console:{name}", args=[quote.pk, *args])


def test_every_quote_page_refuses_client_contacts(alice_client, charlie_client, client, sent):
    pages = [
        reverse("console:quotes"),
        reverse("console:quote_new"),
        _url("quote", sent),
        _url("quote_pdf", sent),
    ]
    for http in (alice_client, charlie_client):
        for page in pages:
            assert http.get(page).status_code == 403, page
        assert http.post(_url("quote_accept", sent)).status_code == 403
    assert client.get(_url("quote", sent)).status_code == 302  # to the login page
    sent.refresh_from_db()
    assert sent.state == "sent"


def test_the_list_filters_by_state_and_client(agent_client, sent, make_draft, client_c, agent):
    from operant.quotes.services import quote_create

    draft = make_draft(title="Second thing")
    other = quote_create(
        client=client_c,
        title="Gym migration",
        scope_category="migration",
        created_by=agent,
        now=SENT,
    )
    html = agent_client.get(reverse("console:quotes")).content.decode()
    assert all(q.ref in html for q in (sent, draft, other))
    html = agent_client.get(reverse("console:quotes"), {"state": "sent"}).content.decode()
    assert sent.ref in html
    assert draft.ref not in html
    html = agent_client.get(reverse("console:quotes"), {"client": client_c.slug}).content.decode()
    assert other.ref in html
    assert sent.ref not in html
    partial = agent_client.get(
        reverse("console:quotes"), {"state": "draft"}, HTTP_HX_REQUEST="true"
    )
    assert partial.content.decode().lstrip().startswith('<section id="quote-results"')


def test_the_list_shows_replies_waiting_for_confirmation(agent_client, sent, make_draft) -> None:
    make_draft(title="Untouched")
    quote_reply_acceptance_record(quote=sent, now=SENT + timedelta(hours=1))
    html = agent_client.get(reverse("console:quotes"), {"awaiting": "on"}).content.decode()
    assert sent.ref in html
    assert "reply to confirm" in html
    assert "Untouched" not in html


def test_the_console_nav_links_to_quotes(agent_client) -> None:
    html = agent_client.get(reverse("console:dashboard")).content.decode()
    assert f'href="{reverse("console:quotes")}"' in html


def test_an_out_of_scope_ticket_offers_to_build_a_quote(agent_client, oos_ticket, general_ticket):
    html = agent_client.get(reverse("console:ticket", args=[oos_ticket.pk])).content.decode()
    assert f"{reverse('console:quote_new')}?ticket={oos_ticket.ref}" in html
    html = agent_client.get(reverse("console:ticket", args=[general_ticket.pk])).content.decode()
    assert "Build a quote" not in html


def test_a_new_quote_is_prefilled_from_the_ticket_and_minutes(agent_client, oos_ticket) -> None:
    response = agent_client.get(
        reverse("console:quote_new"), {"ticket": oos_ticket.ref, "minutes": "45"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["client"] == oos_ticket.client.slug
    assert form.initial["title"] == "Add Instagram booking replies"
    assert form.initial["scope_category"] == "new_feature"
    assert form.initial["line_hours"] == pytest.approx(0.75)
    assert form.initial["validity_days"] == 30
    assert "(45 minutes)" in form.initial["line_description"]


def test_minutes_without_an_out_of_scope_ticket_prefill_an_overdraft(agent_client, general_ticket):
    response = agent_client.get(
        reverse("console:quote_new"), {"ticket": general_ticket.ref, "minutes": 10}
    )
    form = response.context["form"]
    assert form.initial["scope_category"] == "allowance_overdraft"
    assert str(form.initial["line_hours"]) == "0.17"


def test_an_unknown_ticket_is_404(agent_client, db) -> None:
    assert agent_client.get(reverse("console:quote_new"), {"ticket": "OPR-999"}).status_code == 404


def test_posting_the_form_creates_the_draft_with_its_first_line(agent_client, oos_ticket):
    response = agent_client.post(
        reverse("console:quote_new"),
        {
            "client": oos_ticket.client.slug,
            "ticket": oos_ticket.ref,
            "title": "Booking replies",
            "scope_category": "new_feature",
            "validity_days": "14",
            "line_description": "Estimated work",
            "line_hours": "3",
        },
    )
    quote = Quote.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("console:quote", args=[quote.pk])
    assert (quote.ticket, quote.validity_days, str(quote.total())) == (oos_ticket, 14, "375.00")


def test_a_refused_draft_shows_why_and_creates_nothing(agent_client, oos_ticket, client_c):
    response = agent_client.post(
        reverse("console:quote_new"),
        {
            "client": client_c.slug,
            "ticket": oos_ticket.ref,
            "title": "Booking replies",
            "scope_category": "new_feature",
            "validity_days": "30",
        },
    )
    assert response.status_code == 400
    assert "belongs to Acme Dental, not Cobalt Gym" in response.content.decode()
    assert not Quote.objects.exists()


def test_lines_are_added_and_removed_in_place_with_htmx(agent_client, draft) -> None:
    response = agent_client.post(
        _url("quote_line_add", draft),
        {"kind": "fixed", "description": "Port fee", "amount": "50"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="quote-lines"')
    assert "Port fee" in html
    assert "300.00 USD" in html
    line = draft.lines.get(description="Port fee")
    response = agent_client.post(_url("quote_line_remove", draft, line.pk), HTTP_HX_REQUEST="true")
    assert "Port fee" not in response.content.decode()
    assert draft.lines.count() == 1


def test_a_negative_line_is_refused_on_the_form(agent_client, draft) -> None:
    response = agent_client.post(
        _url("quote_line_add", draft),
        {"kind": "hours", "description": "Refund", "hours": "-2"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "hours cannot be negative" in html
    assert 'value="-2"' in html  # what the agent typed is kept
    assert draft.lines.count() == 1
    without_htmx = agent_client.post(
        _url("quote_line_add", draft), {"kind": "fixed", "description": "x", "amount": "-1"}
    )
    assert without_htmx.status_code == 400
    assert "amount cannot be negative" in without_htmx.content.decode()


def test_sending_from_the_page(agent_client, draft) -> None:
    response = agent_client.post(_url("quote_send", draft), follow=True)
    draft.refresh_from_db()
    assert draft.state == "sent"
    html = response.content.decode()
    assert "Quote sent to the client." in html
    assert "Download the PDF sent" in html
    pdf = agent_client.get(_url("quote_pdf", draft))
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_sending_a_quote_without_lines_shows_the_refusal(agent_client, make_draft) -> None:
    quote = make_draft(lines=False)
    response = agent_client.post(_url("quote_send", quote))
    assert response.status_code == 400
    assert "has no line items" in response.content.decode()
    quote.refresh_from_db()
    assert quote.state == "draft"
    assert agent_client.get(_url("quote_pdf", quote)).status_code == 404


def test_an_agent_confirms_a_reply_acceptance(agent_client, sent, agent) -> None:
    quote_reply_acceptance_record(quote=sent, now=SENT + timedelta(hours=1), excerpt="Yes!")
    html = agent_client.get(_url("quote", sent)).content.decode()
    assert "The client replied yes" in html
    agent_client.post(_url("quote_confirm_reply", sent))
    sent.refresh_from_db()
    assert (sent.state, sent.decided_via) == ("accepted", "reply")
    assert sent.events.get(kind="accepted").actor == agent


def test_an_agent_dismisses_a_reply_that_was_not_a_yes(agent_client, sent) -> None:
    quote_reply_acceptance_record(quote=sent, now=SENT + timedelta(hours=1))
    agent_client.post(_url("quote_dismiss_reply", sent))
    sent.refresh_from_db()
    assert (sent.state, sent.reply_acceptance_at) == ("sent", None)


@pytest.mark.time_machine(SENT + timedelta(hours=1))  # while the quotes are valid
def test_recording_answers_and_reopening(agent_client, sent, make_draft, agent) -> None:
    from operant.quotes.services import quote_send

    agent_client.post(_url("quote_reopen", sent))
    sent.refresh_from_db()
    assert sent.state == "draft"
    other = quote_send(quote=make_draft(), actor=agent, now=SENT)
    agent_client.post(_url("quote_decline", other), {"reason": "Budget"})
    other.refresh_from_db()
    assert (other.state, other.decided_via) == ("declined", "agent")
    response = agent_client.post(_url("quote_accept", other))
    assert response.status_code == 400
    assert "was declined on" in response.content.decode()


def test_the_page_shows_hours_logged_against_the_estimate(agent_client, sent, agent) -> None:
    from django.utils import timezone

    from operant.allowance.models import TimeEntry
    from operant.quotes.services import quote_accept

    quote_accept(quote=sent, via="agent", actor=agent, now=SENT + timedelta(hours=1))
    now = timezone.now()
    for minutes, kind, deleted in (
        (90, "quoted", None),
        (60, "quoted", now),
        (30, "adjustment", None),
    ):
        TimeEntry.objects.create(
            ticket=sent.ticket,
            client=sent.client,
            agent=agent,
            kind=kind,
            minutes=minutes,
            work_date=date(2026, 12, 2),
            month=date(2026, 12, 1),
            quote=sent,
            created_at=now,
            updated_at=now,
            deleted_at=deleted,
        )
    response = agent_client.get(_url("quote", sent))
    progress = response.context["progress"]
    assert (progress.logged_minutes, str(progress.logged_hours)) == (90, "1.50")
    assert (str(progress.estimated_hours), progress.percent, progress.over) == ("2.00", 75, False)
    assert "1.50</strong> h logged (90 min) of <strong>2.00</strong> h estimated" in (
        response.content.decode()
    )


def test_the_history_lists_every_change(agent_client, sent) -> None:
    html = agent_client.get(_url("quote", sent)).content.decode()
    assert "Drafted" in html
    assert "Line added: Build the DM flow (250.00)" in html
    assert "Sent to alice@acme-dental.example (revision 1)" in html
