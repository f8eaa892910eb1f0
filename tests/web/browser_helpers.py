"""Helpers of the browser tests."""

from __future__ import annotations

from playwright.sync_api import Page


def csp_violations(page: Page) -> list[str]:
    """The Content Security Policy violations the page logs from now on (a live list)."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return violations
