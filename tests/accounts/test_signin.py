"""Sign-in by emailed link: sent, works once, expires, refuses forgeries, never tells whether
an address has a login."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from operant.accounts.models import SigninLinkRequest
from operant.accounts.signin import SALT, signin_link_send, signin_links_send_due, signin_token
from operant.notify.models import Notification

pytestmark = pytest.mark.django_db

REQUEST_URL = reverse("portal:signin_request")
NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)


def _page(html: bytes, address: str) -> str:
    """The page with the address typed and the per-response CSRF mask taken out."""
    text = html.decode().replace(address, "ADDRESS")
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", text)


def _ask(client, address: str):
    """Ask for a link as a browser does, then let the worker do what it does next."""
    response = client.post(REQUEST_URL, {"email": address})
    signin_links_send_due(now=timezone.now())
    return response


def _link_path() -> str:
    [note] = Notification.objects.filter(kind="accounts.signin")
    match = re.search(r"https?://[^/\s]+(/portal/signin/[^\s]+/)", note.body_text)
    assert match, note.body_text
    return match.group(1)


def test_a_contact_gets_a_link_by_email(client, alice):
    response = _ask(client, "ALICE@acme-dental.example")
    assert response.status_code == 200
    [note] = Notification.objects.filter(kind="accounts.signin")
    assert note.to == ["alice@acme-dental.example"]
    assert "15 minutes" in note.body_text
    assert _link_path().startswith("/portal/signin/")


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, alice, agent):
    alice_address = "alice@acme-dental.example"
    known = _page(_ask(client, alice_address).content, alice_address)
    Notification.objects.all().delete()
    for address in ("nobody@example.com", "agent@operant.test"):
        response = _ask(client, address)
        assert response.status_code == 200
        assert _page(response.content, address) == known
    # Agents use their password; a stranger gets nothing.
    assert not Notification.objects.exists()


def test_the_link_signs_in_once(client, alice):
    _ask(client, "alice@acme-dental.example")
    path = _link_path()
    # Opening the link (a mail scanner may) does not spend it.
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response["Location"] == reverse("portal:home")
    assert client.get(reverse("portal:home")).status_code == 200

    other = type(client)()
    again = other.post(path)
    assert again.status_code == 400
    assert b"already been used" in again.content
    assert other.get(reverse("portal:home")).status_code == 302


def test_a_password_sign_in_spends_older_links(client, alice, password):
    _ask(client, "alice@acme-dental.example")
    path = _link_path()
    assert client.login(username=alice.get_username(), password=password)
    client.logout()
    assert client.post(path).status_code == 400


def test_an_expired_link_is_refused(client, alice):
    with time_machine.travel(timezone.now() - timedelta(minutes=16)):
        token = signin_token(alice)
    path = reverse("portal:signin_redeem", args=[token])
    response = client.post(path)
    assert response.status_code == 400
    assert b"expired" in response.content
    assert client.get(reverse("portal:home")).status_code == 302


def test_a_forged_link_is_refused(client, alice, charlie):
    forged = signing.dumps({"u": alice.pk, "l": ""}, salt=SALT, key="not-our-secret")
    wrong_salt = signing.dumps({"u": alice.pk, "l": ""}, salt="something.else")
    for token in (forged, wrong_salt, "garbage", signin_token(charlie)[:-2] + "xx"):
        response = client.post(reverse("portal:signin_redeem", args=[token]))
        assert response.status_code == 400, token
        assert b"not valid" in response.content
    assert client.get(reverse("portal:home")).status_code == 302


def test_a_link_signed_with_our_own_key_but_without_the_users_secret_state_is_refused(
    client, alice
):
    # Whoever holds the secret key (or guessed a public development key) can sign anything;
    # the token must also carry a hash of the login's password hash, which they cannot know.
    assert alice.last_login is None
    for payload in ({"u": alice.pk, "l": ""}, {"u": alice.pk, "s": "0" * 64}, {"u": "x", "s": ""}):
        token = signing.dumps(payload, salt=SALT, compress=True)
        response = client.post(reverse("portal:signin_redeem", args=[token]))
        assert response.status_code == 400, payload
    assert client.get(reverse("portal:home")).status_code == 302


def test_a_password_change_spends_older_links(client, alice):
    token = signin_token(alice)
    alice.set_password("a-new-long-password-2026")
    alice.save()
    assert client.post(reverse("portal:signin_redeem", args=[token])).status_code == 400


def test_a_link_for_a_deactivated_login_is_refused(client, alice):
    token = signin_token(alice)
    alice.is_active = False
    alice.save()
    assert client.post(reverse("portal:signin_redeem", args=[token])).status_code == 400


def test_requests_are_throttled_to_one_email_a_minute(alice):
    now = timezone.now().replace(second=0)
    signin_link_send(email="alice@acme-dental.example", now=now)
    signin_link_send(email="alice@acme-dental.example", now=now + timedelta(seconds=30))
    assert Notification.objects.filter(kind="accounts.signin").count() == 1


def test_a_known_and_an_unknown_address_cost_the_page_the_same_queries(client, alice):
    # Timing is not asserted (the suite must not depend on the machine's speed); the page must
    # do the same work for both: the lookup and the mail happen in the worker.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    shapes = []
    for address in ("alice@acme-dental.example", "nobody@acme-dental.example"):
        with (
            time_machine.travel(NOW, tick=False),
            CaptureQueriesContext(connection) as queries,
        ):
            assert client.post(REQUEST_URL, {"email": address}).status_code == 200
        shapes.append([q["sql"].replace(address, "ADDRESS") for q in queries.captured_queries])
    assert shapes[0] == shapes[1]
    assert not Notification.objects.exists()
    assert SigninLinkRequest.objects.count() == 2
    assert signin_links_send_due(now=NOW) == 2
    [note] = Notification.objects.filter(kind="accounts.signin")
    assert note.to == ["alice@acme-dental.example"]
    # Handled once: a second pass finds nothing due.
    assert signin_links_send_due(now=NOW) == 0


def test_link_requests_are_throttled_per_address_and_per_network(client, alice):
    now = NOW
    with time_machine.travel(now, tick=False):
        for _ in range(5):
            response = client.post(REQUEST_URL, {"email": "nobody@acme-dental.example"})
            assert response.status_code == 200
        refused = client.post(REQUEST_URL, {"email": "NOBODY@acme-dental.example"})
        assert refused.status_code == 429
        assert b"Too many sign-in link requests. Try again in 15 minutes." in refused.content
        # Another network may still ask for that address... and this one for others, up to 20.
        other = type(client)(REMOTE_ADDR="198.51.100.7")
        assert other.post(REQUEST_URL, {"email": "nobody@acme-dental.example"}).status_code == 429
        for number in range(15):
            response = client.post(REQUEST_URL, {"email": f"person{number}@example.com"})
            assert response.status_code == 200
        assert client.post(REQUEST_URL, {"email": "last@example.com"}).status_code == 429
        assert other.post(REQUEST_URL, {"email": "last@example.com"}).status_code == 200
    with time_machine.travel(now + timedelta(minutes=15, seconds=1), tick=False):
        assert client.post(REQUEST_URL, {"email": "last@example.com"}).status_code == 200


def test_the_login_page_offers_the_link(client):
    html = client.get(reverse("login")).content.decode()
    assert REQUEST_URL in html
