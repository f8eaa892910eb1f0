from django.urls import path, re_path

from operant.monitoring.providers.views import meta_events, twilio_alerts, twilio_status
from operant.monitoring.views import ping

urlpatterns = [
    path("ping/<uuid:code>", ping, name="ping"),
    re_path(
        r"^ping/(?P<code>[0-9a-fA-F-]{36})/(?P<action>start|fail|log|[0-9]+)$",
        ping,
        name="ping-action",
    ),
    path("webhooks/twilio/status", twilio_status, name="twilio-status"),
    path("webhooks/twilio/alerts", twilio_alerts, name="twilio-alerts"),
    path("webhooks/meta", meta_events, name="meta-events"),
]
