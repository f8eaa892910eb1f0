"""Who may open which pages.

Anonymous visitors are sent to the login page. A signed-in user of the wrong kind gets 403, never
404 and never a redirect: the check runs before any lookup, so a client user learns nothing
about which console URLs exist, and the refusal is the same for every console page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from operant.accounts.models import Contact

View = Callable[..., HttpResponse]


def agent_required(view: View) -> View:
    """Operant staff only (agent, operator, admin)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_agent:
            raise PermissionDenied("This page is for Operant staff.")
        return view(request, *args, **kwargs)

    return wrapper


def portal_contact(request: HttpRequest) -> Contact | None:
    """The contact behind a client user's login, or None (not a client user, or unlinked)."""
    user = request.user
    if not user.is_authenticated or not user.is_client_user:
        return None
    return Contact.objects.select_related("client__package").filter(user=user).first()


def client_user_required(view: View) -> View:
    """Client contacts with a portal login. Sets ``request.contact`` for the view.

    Portal views read the client only from ``request.contact``, never from the URL, so a client
    user cannot ask for another client's data at all.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        contact = portal_contact(request)
        if contact is None:
            raise PermissionDenied("This page is for client contacts.")
        request.contact = contact  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper
