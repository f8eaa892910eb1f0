"""The agent console: pages for Operant staff."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.vary import vary_on_headers

from operant.accounts.models import Client
from operant.monitoring.queries import workflows_matching
from operant.web.console.time_panel import AllowanceBlock
from operant.web.forms import ClientFilterForm
from operant.web.permissions import agent_required


@agent_required
def dashboard(request: HttpRequest) -> HttpResponse:
    clients = Client.objects.all()
    by_standing = clients.count_by_standing()
    context = {
        "total": sum(by_standing.values()),
        "by_standing": [
            (value, label, by_standing[value]) for value, label in Client.Standing.choices
        ],
        "by_package": clients.count_by_package(),
    }
    return render(request, "web/console/dashboard.html", context)


@agent_required
@vary_on_headers("HX-Request")
def client_list(request: HttpRequest) -> HttpResponse:
    """The client list; an HTMX request (live filtering) gets only the results fragment."""
    form = ClientFilterForm(request.GET)
    clients = Client.objects.search(**form.filters()).select_related("package")
    context = {"form": form, "clients": clients}
    htmx = getattr(request, "htmx", None)
    # A history-restore request wants the whole page back, not the fragment.
    if htmx and not htmx.history_restore_request:
        return render(request, "web/console/_client_results.html", context)
    return render(request, "web/console/clients.html", context)


@agent_required
def client_detail(request: HttpRequest, slug: str) -> HttpResponse:
    client = get_object_or_404(Client.objects.select_related("package"), slug=slug)
    context = {
        "client": client,
        "coverage": client.integration_coverage(),
        "contacts": client.contacts.select_related("user"),
        "domains": client.domains.all(),
        "local_now": client.local_time(timezone.now()),
        "allowance": AllowanceBlock(client, now=timezone.now()),
        "workflows": workflows_matching(client=client),
    }
    return render(request, "web/console/client_detail.html", context)
