"""The public answer page: a GET only shows, a POST decides; refusals change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from operant.quotes.models import Quote
from operant.quotes.services import quote_accept
from tests.quotes.conftest import SENT, path_for

pytestmark = pytest.mark.django_db

LATER = SENT + timedelta(days=2)


def _path(quote: Quote, action: str = "accept") -> str:
    with time_machine.travel(SENT, tick=False):
        return path_for(quote, action)


def _unchanged(quote: Quote) -> None:
    quote.refresh_from_db()
    assert (quote.state, quote.decided_at) == ("sent", None)


@time_machine.travel(LATER, tick=False)
def test_a_get_shows_the_quote_and_asks_to_confirm_without_accepting(client, sent) -> None:
    path = _path(sent)
    for _ in range(3):  # a mail scanner, a preview, the client: nobody accepts by fetching
        response = client.get(path)
        assert response.status_code == 200
    html = response.content.decode()
    assert "Instagram booking replies" in html
    assert "Quoted separately under clause 02: New feature development." in html
    assert "250.00 USD" in html
    assert "Accept quote" in html
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"
    _unchanged(sent)


@time_machine.travel(LATER, tick=False)
def test_a_post_accepts_and_says_so(sent) -> None:
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    path = _path(sent)
    page = browser.get(path)
    token = page.context["csrf_token"]
    response = browser.post(path, {"csrfmiddlewaretoken": str(token)})
    assert response.status_code == 200
    assert f"Quote {sent.ref} accepted" in response.content.decode()
    sent.refresh_from_db()
    assert (sent.state, sent.decided_via, sent.decided_at) == ("accepted", "link", LATER)


@time_machine.travel(LATER, tick=False)
def test_a_post_without_the_csrf_token_is_refused(sent) -> None:
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(_path(sent))
    assert response.status_code == 403
    _unchanged(sent)


@time_machine.travel(LATER, tick=False)
def test_the_decline_link_declines_with_the_reason(client, sent) -> None:
    path = _path(sent, "decline")
    assert "Decline quote" in client.get(path).content.decode()
    response = client.post(path, {"reason": "Not this year"})
    assert response.status_code == 200
    assert f"Quote {sent.ref} declined" in response.content.decode()
    sent.refresh_from_db()
    assert sent.state == "declined"
    assert sent.events.get(kind="declined").data["reason"] == "Not this year"


@time_machine.travel(LATER, tick=False)
def test_a_reused_link_is_410_and_changes_nothing(client, sent) -> None:
    path = _path(sent)
    assert client.post(path).status_code == 200
    decided = Quote.objects.get(pk=sent.pk).decided_at
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code == 410
        assert "was already accepted" in response.content.decode()
    decline = client.post(_path(sent, "decline"))
    assert decline.status_code == 410
    sent.refresh_from_db()
    assert (sent.state, sent.decided_at) == ("accepted", decided)
    assert sent.events.filter(kind="accepted").count() == 1


@time_machine.travel(LATER, tick=False)
def test_a_forged_link_is_400(client, sent) -> None:
    path = _path(sent)
    forged = path[:-3] + ("x" if path[-3] != "x" else "y") + path[-2:]
    for method in (client.get, client.post):
        response = method(forged)
        assert response.status_code == 400
        assert "not valid" in response.content.decode()
    assert client.get(reverse("quotes:respond", args=["nonsense"])).status_code == 400
    _unchanged(sent)


def test_an_expired_link_is_410(client, sent) -> None:
    path = _path(sent)
    with time_machine.travel(sent.valid_until + timedelta(minutes=1), tick=False):
        response = client.post(path)
    assert response.status_code == 410
    assert "expired on" in response.content.decode()
    _unchanged(sent)


@time_machine.travel(LATER, tick=False)
def test_a_contact_of_another_client_is_refused_the_link(charlie_client, sent) -> None:
    path = _path(sent)
    for method in (charlie_client.get, charlie_client.post):
        response = method(path)
        assert response.status_code == 403
        assert "another client" in response.content.decode()
    _unchanged(sent)


@time_machine.travel(LATER, tick=False)
def test_the_clients_own_signed_in_contact_may_use_it(alice_client, alice, sent) -> None:
    assert alice_client.post(_path(sent)).status_code == 200
    sent.refresh_from_db()
    assert sent.state == "accepted"
    assert sent.events.get(kind="accepted").actor == alice


@time_machine.travel(LATER, tick=False)
def test_losing_a_race_is_a_clear_409(client, sent, agent, monkeypatch) -> None:
    # Between the link check and the decision, an agent records the client's answer.
    from operant.quotes import views

    real = views.quote_link_check

    def check_then_agent_accepts(**kwargs):
        result = real(**kwargs)
        quote_accept(quote=sent, via="agent", actor=agent, now=LATER)
        return result

    monkeypatch.setattr(views, "quote_link_check", check_then_agent_accepts)
    response = client.post(_path(sent))
    assert response.status_code == 409
    assert "already accepted" in response.content.decode()
    assert "Nothing was changed" in response.content.decode()


@time_machine.travel(LATER, tick=False)
def test_other_methods_are_405(client, sent) -> None:
    assert client.put(_path(sent)).status_code == 405
