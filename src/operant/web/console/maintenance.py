"""Maintenance windows for agents (clause 04): each window not over yet, its scope, its next
occurrences and whether their notice and reminder went out."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from operant.maintenance.queries import window_rows
from operant.web.permissions import agent_required


@agent_required
@require_GET
def window_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    return render(
        request,
        "web/console/maintenance/windows.html",
        {"windows": window_rows(now=now), "now": now},
    )
