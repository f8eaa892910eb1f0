"""HTTP middleware of the whole site."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"


class ContentSecurityPolicyMiddleware:
    """Send ``settings.CONTENT_SECURITY_POLICY`` with every response that has none of its own.

    Django 5.2 has no built-in policy header. Django's own debug error pages style themselves
    inline, so with DEBUG on they go without the header; every other page lives with it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        debug_page = settings.DEBUG and response.status_code in (404, 500)
        if policy and not debug_page and HEADER not in response:
            response[HEADER] = policy
        return response
