"""Opening a new request from the portal."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from operant.mail.portal import PortalRequestInvalid, portal_request_submit
from operant.web.permissions import client_user_required
from operant.web.portal.forms import RequestForm
from operant.web.portal.lookups import client_of, contact_of


@client_user_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    """GET: the form. POST: submit through the mail pipeline, then show the ticket it opened
    (with the class and target the pipeline gave it)."""
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = portal_request_submit(
                contact=contact_of(request),
                subject=form.cleaned_data["subject"],
                text=form.cleaned_data["text"],
                now=timezone.now(),
            )
        except PortalRequestInvalid as exc:
            form.add_error(None, str(exc))
        else:
            if outcome.ticket_id is not None:
                messages.success(request, f"Thank you: we opened {outcome.ticket_ref}.")
                return redirect("portal:ticket", pk=outcome.ticket_id)
            # Stored but not turned into a ticket (e.g. flagged): an agent will look at it.
            messages.info(request, "We received your request and will look at it shortly.")
            return redirect("portal:tickets")
    status = 400 if request.method == "POST" else 200
    context = {"client": client_of(request), "form": form}
    return render(request, "web/portal/request_new.html", context, status=status)
