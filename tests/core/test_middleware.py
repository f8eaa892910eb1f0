"""Every response carries the Content-Security-Policy, pages and static files alike."""

from __future__ import annotations

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_pages_and_static_files_carry_the_policy(client, alice_client) -> None:
    for response in (
        client.get("/login"),
        client.get("/static/operant.css"),
        alice_client.get("/portal/allowance/"),
        client.get("/no/such/page"),
    ):
        assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY


def test_the_policy_allows_no_inline_script_or_style() -> None:
    directives = dict(
        part.strip().split(" ", 1) for part in settings.CONTENT_SECURITY_POLICY.split(";")
    )
    for name in ("script-src", "style-src"):
        assert directives[name] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"


def test_pages_have_no_inline_scripts_or_styles(alice_client, agent_client) -> None:
    pages = [
        alice_client.get("/portal/allowance/"),
        alice_client.get("/portal/"),
        agent_client.get("/console/"),
        agent_client.get("/api/docs"),
    ]
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert " style=" not in html
        assert "<style" not in html
        for tag in html.split("<script")[1:]:
            head = tag.split(">", 1)[0]
            assert "src=" in head or 'type="application/json"' in head, head


def test_debug_error_pages_go_without_it(client, settings) -> None:
    # Django's own debug pages style themselves inline.
    settings.DEBUG = True
    assert "Content-Security-Policy" not in client.get("/no/such/page")
    assert "Content-Security-Policy" in client.get("/login")
