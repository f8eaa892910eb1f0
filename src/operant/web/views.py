from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers and the start script."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def home(request: HttpRequest) -> HttpResponse:
    """Send each kind of user to their own front page."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if user.is_agent:
        return redirect("console:dashboard")
    if user.is_client_user:
        return redirect("portal:home")
    raise PermissionDenied("This account has no role that can use the desk.")
