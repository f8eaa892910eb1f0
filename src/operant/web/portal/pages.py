"""Rendering a portal page with what every portal page shows (its tabs)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from operant.web.portal.lookups import statements_url


def render_portal(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    # Statements come from another app; the tab shows only once its page exists.
    return render(request, template, {**context, "statements_url": statements_url()}, status=status)
