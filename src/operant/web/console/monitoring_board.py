"""The monitoring board: every workflow with its state, last signal and a timeline of its
latest signals, filtered in place. The page polls its results fragment every few seconds, so a
workflow going down shows without a reload."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from operant.monitoring.queries import recent_signals, rejected_recently, workflows_matching
from operant.web.console.monitoring_forms import BoardFilterForm
from operant.web.permissions import agent_required

BOARD_PAGE_SIZE = 50
# How often the open board asks for fresh rows: a flip shows within this many seconds.
POLL_SECONDS = 3


@agent_required
@require_GET
@vary_on_headers("HX-Request")
def board(request: HttpRequest) -> HttpResponse:
    """The board; an HTMX request (filters, pages, polling) gets only the results fragment."""
    now = timezone.now()
    form = BoardFilterForm(request.GET)
    rows = workflows_matching(**form.filters())
    page = Paginator(rows, BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    timelines = recent_signals(page)
    context = {
        "form": form,
        "page": page,
        "rows": [(workflow, timelines[workflow.pk]) for workflow in page],
        "rejected": rejected_recently(now=now),
        "now": now,
        "poll_seconds": POLL_SECONDS,
    }
    htmx = getattr(request, "htmx", None)
    # A history-restore request wants the whole page back, not the fragment.
    if htmx and not htmx.history_restore_request:
        return render(request, "web/console/monitoring/_board.html", context)
    return render(request, "web/console/monitoring/board.html", context)
