from django.urls import path, re_path

from operant.monitoring.views import ping

urlpatterns = [
    path("ping/<uuid:code>", ping, name="ping"),
    re_path(
        r"^ping/(?P<code>[0-9a-fA-F-]{36})/(?P<action>start|fail|log|[0-9]+)$",
        ping,
        name="ping-action",
    ),
]
