"""The NinjaAPI instance: routers, and errors as JSON ``{"detail": ...}`` (never HTML)."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from operant.api import client_scope, my_workflows, quotes, tickets, time_entries, workflows
from operant.core.errors import UserError
from operant.desk.serialize import TicketNotFound

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="Operant Desk API",
    version="1",
    description="Tickets for Operant staff. Authenticate with 'Authorization: Bearer <token>' "
    "(create one with `operant tokens create`).",
    urls_namespace="api",
)
api.add_router("", tickets.router)
api.add_router("", quotes.router)
api.add_router("", time_entries.router)
api.add_router("", workflows.router)
api.add_router("/me", client_scope.router)
api.add_router("/me", my_workflows.router)


@api.exception_handler(UserError)
def user_error(request: HttpRequest, exc: UserError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=400)


@api.exception_handler(TicketNotFound)
def ticket_not_found(request: HttpRequest, exc: TicketNotFound) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=404)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(request, {"detail": str(exc)}, status=401)
    # RFC 9110: a 401 names the scheme the client should use.
    response["WWW-Authenticate"] = 'Bearer realm="operant"'
    return response


@api.exception_handler(Exception)
def internal_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Ninja's default re-raises (Django's HTML 500) or, under DEBUG, answers a plain-text
    # traceback; an API client gets JSON either way, and the traceback goes to the log.
    logger.exception("API error on %s %s", request.method, request.path)
    return api.create_response(request, {"detail": "internal error"}, status=500)
