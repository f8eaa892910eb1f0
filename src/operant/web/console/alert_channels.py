"""A staff member's own alert channels: where "a workflow is down" reaches them, and a button
that sends a test alert there. The checks on numbers and URLs are the notify app's
(``alert_channels_set``); this page reads the form, calls it and shows the outcome."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from operant.core.errors import UserError
from operant.notify.alerts import alert_channels_of, alert_channels_set, alert_test_queue
from operant.notify.models import Channel
from operant.web.console.tickets_forms import first_error
from operant.web.permissions import agent_required

TEMPLATE = "web/console/alert_channels.html"


class AlertChannelsForm(forms.Form):
    # Plain text fields: the notify service checks them and says what is wrong in its words.
    email = forms.BooleanField(label="Email", required=False)
    sms = forms.BooleanField(label="SMS", required=False)
    phone = forms.CharField(label="Mobile number", required=False, max_length=40)
    chat = forms.BooleanField(label="Chat", required=False)
    chat_webhook_url = forms.CharField(label="Chat webhook URL", required=False, max_length=600)


@agent_required
@require_http_methods(["GET", "POST"])
def alert_channels(request: HttpRequest) -> HttpResponse:
    """GET: the person's channels. POST: save them (then back here), or show what to fix."""
    if request.method == "GET":
        channels = alert_channels_of(user_id=request.user.pk)
        form = AlertChannelsForm(
            initial={
                "email": channels.email,
                "sms": channels.sms,
                "phone": channels.phone,
                "chat": channels.chat,
                "chat_webhook_url": channels.chat_webhook_url,
            }
        )
        return _page(request, form)
    form = AlertChannelsForm(request.POST)
    if not form.is_valid():
        return _page(request, form, error=first_error(form), status=400)
    try:
        alert_channels_set(user_id=request.user.pk, now=timezone.now(), **form.cleaned_data)
    except UserError as exc:
        return _page(request, form, error=str(exc), status=400)
    messages.success(request, "Your alert channels are saved.")
    return redirect("console:alert_channels")


@agent_required
@require_POST
def alert_test(request: HttpRequest) -> HttpResponse:
    queued = alert_test_queue(user_id=request.user.pk, now=timezone.now())
    if queued:
        names = ", ".join(Channel(n.channel).label for n in queued)
        messages.success(request, f"A test alert is on its way: {names}.")
    else:
        messages.info(request, "A test alert already went out this minute; try again shortly.")
    return redirect("console:alert_channels")


def _page(
    request: HttpRequest, form: AlertChannelsForm, *, error: str = "", status: int = 200
) -> HttpResponse:
    chosen = alert_channels_of(user_id=request.user.pk).chosen()
    context = {
        "form": form,
        "error": error,
        "chosen": [Channel(channel).label for channel in chosen],
    }
    return render(request, TEMPLATE, context, status=status)
