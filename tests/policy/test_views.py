"""/policy: the public page, rendered from the configured file on every request."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse


@pytest.fixture
def http() -> Client:
    return Client()


def test_the_policy_page_is_public(http: Client) -> None:
    response = http.get(reverse("policy"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    body = response.content.decode()
    assert "Support and Maintenance Policy" in body
    assert "General inquiries: 1 to 2 business days" in body


def test_it_is_served_at_slash_policy(http: Client) -> None:
    assert reverse("policy") == "/policy"


def test_the_page_follows_the_configured_file(
    http: Client, policy_file: Callable[..., Path]
) -> None:
    path = policy_file(("minutes_per_month = 30", "minutes_per_month = 90"))
    with override_settings(OPERANT_POLICY=str(path)):
        body = http.get("/policy").content.decode()
    assert "(up to 90 minutes per month)" in body


def test_the_markdown_page_is_public_too(http: Client) -> None:
    response = http.get(reverse("policy-md"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response.content.decode().startswith("# Support and Maintenance Policy")


def test_an_unchanged_page_answers_not_modified(http: Client) -> None:
    etag = http.get("/policy")["ETag"]
    assert http.get("/policy", headers={"If-None-Match": etag}).status_code == 304


def test_a_broken_file_is_a_503_that_hides_the_details(
    http: Client, policy_file: Callable[..., Path]
) -> None:
    path = policy_file(("minutes_per_month = 30", "minutes_per_month = lots"))
    with override_settings(OPERANT_POLICY=str(path)):
        response = http.get("/policy")
    assert response.status_code == 503
    assert str(path) not in response.content.decode()


def test_only_reading_is_allowed(http: Client) -> None:
    assert http.post("/policy").status_code == 405
