"""The ticket page's time panel: its views. What the panel shows is ``time_panel``.

Agents log, edit and remove time here; every rule (minutes, dates, closed months, quotes, the
overdraft) is the allowance services' to apply, and their ``UserError`` is shown in the panel.
An overdraft refusal offers the way out the policy gives: log the minutes that fit and quote
the rest (``time_log_split``), then open the new-quote page prefilled with the overflow.

With HTMX the forms swap the panel itself; without JavaScript they post normally and come back
to the ticket page (the whole page with the panel's error when something was refused).
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from operant.allowance.errors import Overdraft
from operant.allowance.models import EntryKind, TimeEntry
from operant.allowance.services import (
    adjustment_estimate_check,
    time_entry_delete,
    time_entry_edit,
    time_log,
    time_log_split,
)
from operant.core.errors import UserError
from operant.desk.models import Ticket
from operant.quotes.models import Quote
from operant.web.console.tickets_detail import ticket_context, ticket_or_404
from operant.web.console.tickets_forms import first_error
from operant.web.console.time_panel import PANEL, Split, TimePanel, quote_new_url
from operant.web.permissions import agent_required

# -- forms: they carry input; the services judge it ---------------------------------------------


class EntryForm(forms.Form):
    minutes = forms.IntegerField(label="Minutes")
    work_date = forms.DateField(label="Date", required=False)
    kind = forms.ChoiceField(label="Kind", choices=EntryKind.choices)
    note = forms.CharField(label="Note", required=False, max_length=2000)
    quote = forms.ModelChoiceField(
        label="Quote", queryset=Quote.objects.all(), required=False, empty_label="No quote"
    )


class SplitForm(forms.Form):
    minutes = forms.IntegerField(label="Minutes")
    work_date = forms.DateField(label="Date", required=False)
    note = forms.CharField(label="Note", required=False, max_length=2000)


class EstimateForm(forms.Form):
    estimate_minutes = forms.IntegerField(label="Estimated minutes")


# -- views ----------------------------------------------------------------------------------------


def _ticket(pk: int) -> Ticket:
    return get_object_or_404(Ticket.objects.select_related("client", "contact"), pk=pk)


def _answer(request: HttpRequest, panel: TimePanel) -> HttpResponse:
    """HTMX: the panel. Otherwise: back to the ticket, or the whole page when refused."""
    refused = bool(panel.error)
    if getattr(request, "htmx", None):
        return render(request, PANEL, {"ticket": panel.ticket, "time_panel": panel})
    if not refused:
        return redirect(reverse("console:ticket", args=[panel.ticket.pk]) + "#time")
    ticket = ticket_or_404(panel.ticket.pk)
    context = ticket_context(request, ticket, now=panel.now)
    context["time_panel"] = panel
    return render(request, "web/console/tickets/detail.html", context, status=400)


@agent_required
def time_panel_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The panel alone (HTMX refresh, or "cancel" after an overdraft)."""
    ticket = _ticket(pk)
    panel = TimePanel(ticket, now=timezone.now())
    return render(request, PANEL, {"ticket": ticket, "time_panel": panel})


@agent_required
@require_POST
def time_log_view(request: HttpRequest, pk: int) -> HttpResponse:
    now = timezone.now()
    ticket = _ticket(pk)
    form = EntryForm(request.POST)
    attempt = {key: request.POST.get(key, "") for key in ("minutes", "work_date", "kind", "note")}
    if not form.is_valid():
        panel = TimePanel(ticket, now=now, error=first_error(form), attempt=attempt)
        return _answer(request, panel)
    data = form.cleaned_data
    try:
        entry = time_log(
            ticket=ticket,
            agent=request.user,
            minutes=data["minutes"],
            kind=data["kind"],
            work_date=data["work_date"],
            note=data["note"],
            quote=data["quote"],
            now=now,
        )
    except Overdraft as exc:
        panel = TimePanel(ticket, now=now, error=str(exc), overdraft=exc, attempt=attempt)
        return _answer(request, panel)
    except UserError as exc:
        return _answer(request, TimePanel(ticket, now=now, error=str(exc), attempt=attempt))
    notice = f"Logged {entry.minutes} minutes ({EntryKind(entry.kind).label.lower()})."
    return _answer(request, TimePanel(ticket, now=now, notice=notice))


@agent_required
@require_POST
def time_split_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Log the part of an adjustment that fits; the rest goes to a quote."""
    now = timezone.now()
    ticket = _ticket(pk)
    form = SplitForm(request.POST)
    if not form.is_valid():
        return _answer(request, TimePanel(ticket, now=now, error=first_error(form)))
    data = form.cleaned_data
    try:
        entry, overflow = time_log_split(
            ticket=ticket,
            agent=request.user,
            minutes=data["minutes"],
            work_date=data["work_date"],
            note=data["note"],
            now=now,
        )
    except UserError as exc:
        return _answer(request, TimePanel(ticket, now=now, error=str(exc)))
    split = Split(
        logged=entry.minutes if entry else 0,
        overflow=overflow,
        quote_url=quote_new_url(ticket, overflow) if overflow else None,
    )
    return _answer(request, TimePanel(ticket, now=now, split=split))


@agent_required
@require_POST
def time_estimate_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Is this adjustment still minor? Over the policy's limit or the minutes left, the desk
    reclassifies the ticket as a significant change (clause 02) and says why."""
    now = timezone.now()
    ticket = _ticket(pk)
    form = EstimateForm(request.POST)
    if not form.is_valid():
        return _answer(request, TimePanel(ticket, now=now, error=first_error(form)))
    try:
        verdict = adjustment_estimate_check(
            ticket=ticket, estimate_minutes=form.cleaned_data["estimate_minutes"], now=now
        )
    except UserError as exc:
        return _answer(request, TimePanel(ticket, now=now, error=str(exc)))
    if not verdict.over:
        notice = "Within the allowance: this is a minor adjustment."
    elif verdict.reclassified:
        notice = "Not minor: " + "; ".join(verdict.reasons) + ". Reclassified as a significant "
        notice += "workflow change (clause 02), to be quoted."
    else:
        notice = "Not minor: " + "; ".join(verdict.reasons) + "."
    if getattr(request, "htmx", None) and verdict.reclassified:
        # The class and clock panels change too: reload the page to show them.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return _answer(request, TimePanel(verdict.ticket, now=now, notice=notice))


def _entry(ticket: Ticket, entry_pk: int) -> TimeEntry:
    return get_object_or_404(TimeEntry, pk=entry_pk, ticket=ticket)


@agent_required
@require_POST
def time_edit_view(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    now = timezone.now()
    ticket = _ticket(pk)
    entry = _entry(ticket, entry_pk)
    form = EntryForm(request.POST)
    if not form.is_valid():
        return _answer(request, TimePanel(ticket, now=now, error=first_error(form)))
    data = form.cleaned_data
    try:
        time_entry_edit(
            entry=entry,
            actor=request.user,
            minutes=data["minutes"],
            work_date=data["work_date"],
            note=data["note"],
            kind=data["kind"],
            quote=data["quote"],
            now=now,
        )
    except UserError as exc:
        return _answer(request, TimePanel(ticket, now=now, error=str(exc)))
    return _answer(request, TimePanel(ticket, now=now, notice="Entry updated."))


@agent_required
@require_POST
def time_delete_view(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    now = timezone.now()
    ticket = _ticket(pk)
    entry = _entry(ticket, entry_pk)
    try:
        time_entry_delete(entry=entry, actor=request.user, now=now)
    except UserError as exc:
        return _answer(request, TimePanel(ticket, now=now, error=str(exc)))
    notice = f"Removed the {entry.minutes}-minute entry of {entry.work_date:%Y-%m-%d}."
    return _answer(request, TimePanel(ticket, now=now, notice=notice))


# Mounted under the ticket's URL by console/urls.py (``TICKET + "time/"``).
urlpatterns = [
    path("", time_panel_view, name="ticket_time"),
    path("log/", time_log_view, name="ticket_time_log"),
    path("split/", time_split_view, name="ticket_time_split"),
    path("estimate/", time_estimate_view, name="ticket_time_estimate"),
    path("<int:entry_pk>/edit/", time_edit_view, name="ticket_time_edit"),
    path("<int:entry_pk>/delete/", time_delete_view, name="ticket_time_delete"),
]
