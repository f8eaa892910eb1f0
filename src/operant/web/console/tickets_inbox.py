"""The agent inbox: every ticket, what is due first, filtered in place."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from operant.desk.queries import INBOX_PAGE_SIZE, inbox_filter, inbox_tickets
from operant.mail.queries import inbound_flagged
from operant.web.console.tickets_display import labelled, scope_categories, scope_labels
from operant.web.console.tickets_forms import InboxFilterForm
from operant.web.permissions import agent_required

# The flagged-mail list is a worklist, not an archive: the newest are the ones to act on.
FLAGGED_MAIL_SHOWN = 50


@agent_required
@require_GET
@vary_on_headers("HX-Request")
def inbox(request: HttpRequest) -> HttpResponse:
    """The queue; an HTMX request (filters, pages) gets only the results fragment."""
    now = timezone.now()
    form = InboxFilterForm(request.GET)
    filters = form.filters(me=request.user)
    tickets = inbox_filter(inbox_tickets(), **filters)
    page = Paginator(tickets, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    flagged_mail = None
    flagged_mail_total = 0
    if filters["flagged"]:
        flagged_mail = list(inbound_flagged()[:FLAGGED_MAIL_SHOWN])
        flagged_mail_total = (
            len(flagged_mail)
            if len(flagged_mail) < FLAGGED_MAIL_SHOWN
            else inbound_flagged().count()
        )
    labels = scope_labels(scope_categories())
    context = {
        "form": form,
        "page": page,
        "rows": [labelled(ticket, labels) for ticket in page],
        "now": now,
        "flagged_mail": flagged_mail,
        "flagged_mail_total": flagged_mail_total,
        "filtered": any(filters.values()),
    }
    htmx = getattr(request, "htmx", None)
    # A history-restore request wants the whole page back, not the fragment.
    if htmx and not htmx.history_restore_request:
        return render(request, "web/console/tickets/_inbox_results.html", context)
    return render(request, "web/console/tickets/inbox.html", context)
