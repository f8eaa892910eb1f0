from django.contrib import admin
from django.urls import include, path

# The ping endpoint first: it is the busiest URL of the desk by far, and each pattern tried
# before it costs every ping (behind three "" includes it was ten resolver calls a ping).
urlpatterns = [
    path("", include("operant.monitoring.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("operant.api.urls")),
    path("quotes/", include("operant.quotes.urls")),
    path("maintenance/", include("operant.maintenance.urls")),
    path("", include("operant.web.urls")),
    path("", include("operant.policy.urls")),
    path("", include("operant.mail.urls")),
]
