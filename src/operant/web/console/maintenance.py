"""Maintenance windows for agents (clause 04): each window not over yet, its scope, its next
occurrences and whether their notice and reminder went out; and scheduling one.

Scheduling calls ``window_create``, the service ``operant maintenance add`` calls: a refusal
(end before start, short notice without a reason, a bad RRULE) is shown on the form with the
service's message and what was typed kept, and nothing is stored.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from operant.core.errors import UserError
from operant.maintenance.queries import window_rows
from operant.maintenance.services import window_create
from operant.web.console.maintenance_forms import WindowForm
from operant.web.console.tickets_forms import first_error
from operant.web.permissions import agent_required


def _page(
    request: HttpRequest, *, now: datetime, form: WindowForm | None = None, error: str = ""
) -> HttpResponse:
    context = {
        "windows": window_rows(now=now),
        "now": now,
        "form": form or WindowForm(),
        "error": error,
    }
    return render(
        request, "web/console/maintenance/windows.html", context, status=400 if error else 200
    )


@agent_required
@require_GET
def window_list(request: HttpRequest) -> HttpResponse:
    return _page(request, now=timezone.now())


@agent_required
@require_POST
def window_add(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    form = WindowForm(request.POST)
    if not form.is_valid():
        return _page(request, now=now, form=form, error=first_error(form))
    try:
        window = window_create(**form.window_arguments(), now=now, actor=request.user)
    except UserError as exc:
        return _page(request, now=now, form=form, error=str(exc))
    note = " (short notice: clients read your reason)" if window.short_notice else ""
    messages.success(request, f"Maintenance scheduled: {window.title}{note}.")
    return redirect("console:maintenance")
