"""Portal: the client's quotes, the PDF, and accepting or declining a sent quote."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from operant.quotes.models import Quote, QuoteState
from tests.web.portal_helpers import sent_quote

pytestmark = pytest.mark.django_db

LIST = reverse("portal:quotes")


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def quote(client_a, agent) -> Quote:
    return sent_quote(client_a, agent)


def _url(name: str, quote: Quote) -> str:
    return reverse(f"portal:{name}", args=[quote.pk])


def test_lists_the_clients_sent_quotes_but_not_drafts(alice_client, quote, client_a, agent):
    from operant.quotes.services import quote_create

    draft = quote_create(
        client=client_a,
        title="Secret draft",
        scope_category="new_feature",
        created_by=agent,
        now=quote.created_at,
    )
    html = alice_client.get(LIST).content.decode()
    assert quote.ref in html
    assert "Instagram booking replies" in html
    assert "Sent" in html
    assert "Secret draft" not in html
    assert alice_client.get(_url("quote", draft)).status_code == 404


def test_the_quote_page_shows_lines_total_validity_pdf_and_buttons(alice_client, quote):
    html = alice_client.get(_url("quote", quote)).content.decode()
    assert "Build the DM flow" in html
    assert "250.00 USD" in html
    assert "Valid until" in html
    assert _url("quote_pdf", quote) in html
    assert _url("quote_accept", quote) in html
    assert _url("quote_decline", quote) in html


def test_the_pdf_downloads(alice_client, quote):
    response = alice_client.get(_url("quote_pdf", quote))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_accepting_through_the_portal(alice_client, alice, quote):
    response = alice_client.post(_url("quote_accept", quote))
    assert response["Location"] == _url("quote", quote)
    quote.refresh_from_db()
    assert (quote.state, quote.decided_via) == (QuoteState.ACCEPTED, "portal")
    assert quote.events.get(kind="accepted").actor == alice
    html = alice_client.get(response["Location"]).content.decode()
    assert "You accepted" in html
    assert _url("quote_accept", quote) not in html


def test_declining_with_a_reason(alice_client, quote):
    alice_client.post(_url("quote_decline", quote), {"reason": "Too dear this quarter"})
    quote.refresh_from_db()
    assert quote.state == QuoteState.DECLINED
    assert quote.events.get(kind="declined").data["reason"] == "Too dear this quarter"


def test_a_decided_quote_cannot_be_decided_again(alice_client, quote):
    alice_client.post(_url("quote_accept", quote))
    response = alice_client.post(_url("quote_decline", quote), follow=True)
    assert "Nothing was changed" in response.content.decode()
    quote.refresh_from_db()
    assert quote.state == QuoteState.ACCEPTED


def test_accept_and_decline_need_post(alice_client, quote):
    assert alice_client.get(_url("quote_accept", quote)).status_code == 405
    quote.refresh_from_db()
    assert quote.state == QuoteState.SENT


def test_another_client_cannot_see_or_decide_the_quote(charlie_client, quote):
    assert quote.ref not in charlie_client.get(LIST).content.decode()
    for name in ("quote", "quote_pdf"):
        assert charlie_client.get(_url(name, quote)).status_code == 404
    for name in ("quote_accept", "quote_decline"):
        assert charlie_client.post(_url(name, quote)).status_code == 404
    quote.refresh_from_db()
    assert quote.state == QuoteState.SENT


def test_the_service_refuses_a_portal_answer_from_another_clients_contact(charlie, quote):
    from django.utils import timezone

    from operant.quotes.errors import QuoteError
    from operant.quotes.services import quote_accept

    with pytest.raises(QuoteError, match="not a quote of this contact's client"):
        quote_accept(quote=quote, via="portal", actor=charlie, now=timezone.now())


def test_agents_are_refused(agent_client, quote):
    assert agent_client.get(LIST).status_code == 403
    assert agent_client.post(_url("quote_accept", quote)).status_code == 403


def test_deciding_needs_the_csrf_token(alice, quote):
    from django.test import Client as DjangoClient

    browser = DjangoClient(enforce_csrf_checks=True)
    browser.force_login(alice)
    assert browser.post(_url("quote_accept", quote)).status_code == 403
    quote.refresh_from_db()
    assert quote.state == QuoteState.SENT
