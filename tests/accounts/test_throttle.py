"""Password sign-ins are throttled per account and per client network, before the password is
checked, with a message that says when to try again."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.test import Client as DjangoClient
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from operant.accounts.models import SigninFailure
from operant.accounts.throttle import ACCOUNT_FAILURES, NETWORK_FAILURES, client_network

pytestmark = pytest.mark.django_db
LOGIN = reverse("login")


def sign_in(http: DjangoClient, email: str, password: str):
    return http.post(LOGIN, {"username": email, "password": password})


def test_after_repeated_wrong_passwords_even_the_right_one_is_refused(agent, password):
    now = timezone.now()
    http = DjangoClient()
    with time_machine.travel(now, tick=False):
        for attempt in range(40):
            response = sign_in(http, "AGENT@operant.test", f"wrong-{attempt}")
            assert response.status_code == 200
        assert SigninFailure.objects.count() == ACCOUNT_FAILURES
        refused = sign_in(http, agent.email, password)
        assert refused.status_code == 200
        assert b"Too many failed sign-ins" in refused.content
        assert b"Try again in 15 minutes." in refused.content
        assert "_auth_user_id" not in http.session
        # From another network too: the account itself is throttled.
        elsewhere = DjangoClient(REMOTE_ADDR="203.0.113.9")
        assert b"Too many failed sign-ins" in sign_in(elsewhere, agent.email, password).content
    with time_machine.travel(now + timedelta(minutes=15, seconds=1), tick=False):
        assert sign_in(http, agent.email, password).status_code == 302
        # Success clears the account's failures.
        assert not SigninFailure.objects.filter(account=agent.username).exists()


def test_one_network_trying_many_accounts_is_throttled(agent, alice, password):
    http = DjangoClient(REMOTE_ADDR="2001:db8:1:2::10")
    neighbour = DjangoClient(REMOTE_ADDR="2001:db8:1:2::99")  # same /64
    with time_machine.travel(timezone.now(), tick=False):
        for number in range(NETWORK_FAILURES):
            sign_in(http, f"guess{number}@example.com", "password1")
        response = sign_in(neighbour, "alice@acme-dental.example", password)
        assert b"Too many failed sign-ins" in response.content
        assert sign_in(DjangoClient(), "alice@acme-dental.example", password).status_code == 302


def test_authenticate_anywhere_goes_through_the_throttle(agent, password):
    request = RequestFactory().post("/admin/login/", REMOTE_ADDR="192.0.2.1")
    for _ in range(ACCOUNT_FAILURES):
        assert authenticate(request, username=agent.username, password="wrong") is None
    assert authenticate(request, username=agent.username, password=password) is None
    # The admin site's own login is covered as well.
    response = DjangoClient().post(
        "/admin/login/", {"username": agent.username, "password": password}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in response.wsgi_request.session


@pytest.mark.parametrize(
    ("remote", "forwarded", "proxies", "network"),
    [
        ("192.0.2.1", "", 0, "192.0.2.1"),
        ("192.0.2.1", "198.51.100.1", 0, "192.0.2.1"),  # not trusted: ignored
        ("10.0.0.2", "6.6.6.6, 198.51.100.1", 1, "198.51.100.1"),
        ("10.0.0.2", "198.51.100.1, 10.0.0.1", 2, "198.51.100.1"),
        ("10.0.0.2", "", 1, "10.0.0.2"),
        ("2001:db8::1", "", 0, "2001:db8::/64"),
        ("::ffff:192.0.2.5", "", 0, "192.0.2.5"),
        ("", "", 0, "unknown"),
    ],
)
def test_the_client_network(settings, remote, forwarded, proxies, network):
    settings.OPERANT_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_network(request) == network
