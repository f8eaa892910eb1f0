"""The floor's one view: every path, every method, "OK" (what the ping endpoint answers).

CSRF does not apply (no middleware), so the same POSTs the desk receives reach it unchanged."""

from django.http import HttpRequest, HttpResponse
from django.urls import re_path


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("OK", content_type="text/plain")


urlpatterns = [re_path(r"", ok)]
