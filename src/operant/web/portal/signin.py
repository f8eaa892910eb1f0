"""Signing in with an emailed link instead of a password (client contacts only)."""

from __future__ import annotations

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from operant.accounts.signin import (
    SigninRefused,
    signin_link_check,
    signin_link_redeem,
    signin_link_request,
)
from operant.accounts.throttle import BACKEND, SigninThrottled, client_network
from operant.web.portal.forms import SigninLinkForm


def _private(response: HttpResponse) -> HttpResponse:
    # The token in the URL is a credential: keep it out of caches and other sites' Referers.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_http_methods(["GET", "POST"])
def signin_request(request: HttpRequest) -> HttpResponse:
    """Ask for a link. The answer, and the work behind it, is the same whether or not the
    address has a login; too many requests for one address or from one network are refused."""
    form = SigninLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            signin_link_request(email=email, network=client_network(request), now=timezone.now())
        except SigninThrottled as exc:
            form.add_error(None, str(exc))
            return render(request, "web/portal/signin_request.html", {"form": form}, status=429)
        return render(request, "web/portal/signin_sent.html", {"email": email})
    return render(request, "web/portal/signin_request.html", {"form": form})


@require_http_methods(["GET", "POST"])
def signin_redeem(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button and spends nothing, so a mail scanner that opens links cannot use
    the link up; POST spends the link and signs in."""
    try:
        if request.method == "GET":
            user = signin_link_check(token=token).user
            return _private(render(request, "web/portal/signin_confirm.html", {"person": user}))
        user = signin_link_redeem(token=token, now=timezone.now())
    except SigninRefused as exc:
        context = {"message": str(exc)}
        return _private(render(request, "web/portal/signin_refused.html", context, status=400))
    login(request, user, backend=BACKEND)
    return redirect("portal:home")
