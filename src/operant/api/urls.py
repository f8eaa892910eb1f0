from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path

from operant.api.main import api


def not_found(request: HttpRequest, rest: str) -> JsonResponse:
    # Without this, an unknown path under /api/ would get Django's HTML 404 page.
    return JsonResponse({"detail": f"no API route {request.path}"}, status=404)


urlpatterns = [
    path("", api.urls),
    re_path(r"^(?P<rest>.*)$", not_found),
]
