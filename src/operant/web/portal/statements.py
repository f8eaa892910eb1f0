"""The client's monthly statements in the portal: the list, one month with its charts, and the
PDF and CSV downloads.

The client is always the signed-in contact's (``client_user_required``); the URL names only a
month, so another client's statement cannot even be asked for.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import re_path, reverse

from operant.accounts.models import Client
from operant.allowance.months import parse_month
from operant.statements.models import Statement
from operant.statements.plot import attainment_svg, usage_svg
from operant.statements.services import CSV_TYPE, PDF_TYPE, statement_file
from operant.web.permissions import client_user_required
from operant.web.portal.lookups import client_of

MONTH = r"(?P<month>\d{4}-\d{2})"


def statement_of(client: Client, month: str) -> Statement:
    """The client's statement of ``YYYY-MM``, or 404: one query, whatever the month holds."""
    try:
        first_day = parse_month(month)
    except ValueError:
        raise Http404("no such month") from None
    statement = Statement.objects.filter(client=client, month=first_day).first()
    if statement is None:
        raise Http404("no statement for that month")
    statement.client = client  # the caller's client: no second query for it
    return statement


def statement_context(statement: Statement, *, pdf_url: str, csv_url: str) -> dict[str, Any]:
    """Everything the statement body needs, from the frozen figures (no queries)."""
    return {
        "client": statement.client,
        "statement": statement,
        "figures": statement.figures,
        "usage_svg": usage_svg(statement.figures),
        "attainment_svg": attainment_svg(statement.figures),
        "pdf_url": pdf_url,
        "csv_url": csv_url,
    }


def statement_download(statement: Statement, kind: str) -> FileResponse:
    path = statement_file(statement=statement, kind=kind)
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=path.name,
        content_type=PDF_TYPE if kind == "pdf" else CSV_TYPE,
    )


@client_user_required
def statement_list(request: HttpRequest) -> HttpResponse:
    client = client_of(request)
    statements = Statement.objects.filter(client=client).only("month", "generated_at")
    rows = [(s, reverse("portal:statement", args=[s.month_key])) for s in statements]
    return render(request, "web/portal/statements/list.html", {"client": client, "rows": rows})


@client_user_required
def statement_detail(request: HttpRequest, month: str) -> HttpResponse:
    statement = statement_of(client_of(request), month)
    context = statement_context(
        statement,
        pdf_url=reverse("portal:statement_pdf", args=[month]),
        csv_url=reverse("portal:statement_csv", args=[month]),
    )
    return render(request, "web/portal/statements/detail.html", context)


@client_user_required
def statement_pdf(request: HttpRequest, month: str) -> FileResponse:
    return statement_download(statement_of(client_of(request), month), "pdf")


@client_user_required
def statement_csv(request: HttpRequest, month: str) -> FileResponse:
    return statement_download(statement_of(client_of(request), month), "csv")


# Included under "statements/" by portal/urls.py; the names join the "portal" namespace.
urlpatterns = [
    re_path(r"^$", statement_list, name="statements"),
    re_path(rf"^{MONTH}/$", statement_detail, name="statement"),
    re_path(rf"^{MONTH}/pdf/$", statement_pdf, name="statement_pdf"),
    re_path(rf"^{MONTH}/csv/$", statement_csv, name="statement_csv"),
]
