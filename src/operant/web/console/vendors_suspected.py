"""Confirming or dismissing an incident monitoring suspects (clause 05). Each action calls one
vendors service and decides nothing itself; a refusal is shown as a message on the list."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from operant.core.errors import UserError
from operant.vendors.corroboration import incident_confirm, incident_dismiss
from operant.vendors.models import VendorIncident
from operant.web.permissions import agent_required


def _act(request: HttpRequest, pk: int, action: Callable[..., VendorIncident], done: str) -> None:
    incident = get_object_or_404(VendorIncident, pk=pk)
    try:
        action(
            incident=incident,
            now=timezone.now(),
            author=request.user,
            **{"body" if action is incident_confirm else "reason": request.POST.get("note", "")},
        )
    except UserError as exc:
        messages.error(request, str(exc))
        return
    messages.success(request, f"{incident.title}: {done}.")


@agent_required
@require_POST
def incident_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    _act(request, pk, incident_confirm, "confirmed as a vendor incident")
    return redirect("console:vendor_incidents")


@agent_required
@require_POST
def incident_dismiss_view(request: HttpRequest, pk: int) -> HttpResponse:
    _act(request, pk, incident_dismiss, "dismissed")
    return redirect("console:vendor_incidents")
