"""An agent's view of one client's monthly statements: the same pages the client sees."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import re_path, reverse

from operant.accounts.models import Client
from operant.statements.models import Statement
from operant.web.permissions import agent_required
from operant.web.portal.statements import (
    MONTH,
    statement_context,
    statement_download,
    statement_of,
)


@agent_required
def client_statements(request: HttpRequest, slug: str) -> HttpResponse:
    client = get_object_or_404(Client, slug=slug)
    statements = Statement.objects.filter(client=client).only("month", "generated_at")
    rows = [(s, reverse("console:client_statement", args=[slug, s.month_key])) for s in statements]
    return render(request, "web/console/statements/list.html", {"client": client, "rows": rows})


@agent_required
def client_statement(request: HttpRequest, slug: str, month: str) -> HttpResponse:
    statement = statement_of(get_object_or_404(Client, slug=slug), month)
    context = statement_context(
        statement,
        pdf_url=reverse("console:client_statement_pdf", args=[slug, month]),
        csv_url=reverse("console:client_statement_csv", args=[slug, month]),
    )
    return render(request, "web/console/statements/detail.html", context)


@agent_required
def client_statement_pdf(request: HttpRequest, slug: str, month: str) -> FileResponse:
    return statement_download(statement_of(get_object_or_404(Client, slug=slug), month), "pdf")


@agent_required
def client_statement_csv(request: HttpRequest, slug: str, month: str) -> FileResponse:
    return statement_download(statement_of(get_object_or_404(Client, slug=slug), month), "csv")


# Included under "clients/<slug:slug>/statements/" by console/urls.py.
urlpatterns = [
    re_path(r"^$", client_statements, name="client_statements"),
    re_path(rf"^{MONTH}/$", client_statement, name="client_statement"),
    re_path(rf"^{MONTH}/pdf/$", client_statement_pdf, name="client_statement_pdf"),
    re_path(rf"^{MONTH}/csv/$", client_statement_csv, name="client_statement_csv"),
]
