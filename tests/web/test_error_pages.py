"""Users meet the desk's own error pages, never Django's debug pages, and the 500 page needs
neither the database nor a request."""

from __future__ import annotations

import pytest
from django.test import Client as DjangoClient
from django.test import RequestFactory, override_settings
from django.urls import path
from django.views import defaults


def _boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom", _boom)]


@pytest.mark.django_db
def test_an_unknown_address_gets_the_styled_404(client) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "/static/operant.css" in html
    assert "Django" not in html


def test_the_500_page_is_styled_and_touches_no_database() -> None:
    # No django_db mark: any query here would fail the test.
    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "/static/operant.css" in html
    assert " style=" not in html


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_an_error_in_a_view_shows_the_500_page() -> None:
    response = DjangoClient(raise_request_exception=False).get("/boom")
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content
    assert b"a bug" not in response.content


@pytest.mark.django_db
def test_an_unknown_host_gets_the_styled_400() -> None:
    response = DjangoClient(HTTP_HOST="evil.example").get("/login")
    assert response.status_code == 400
    assert b"This request could not be understood" in response.content


@pytest.mark.django_db
def test_an_expired_form_gets_a_page_that_says_so(alice) -> None:
    http = DjangoClient(enforce_csrf_checks=True)
    response = http.post("/login", {"username": "alice@acme-dental.example", "password": "x"})
    assert response.status_code == 403
    assert b"This form has expired" in response.content
