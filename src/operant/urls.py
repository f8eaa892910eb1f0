from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("operant.api.urls")),
    path("quotes/", include("operant.quotes.urls")),
    path("", include("operant.web.urls")),
    path("", include("operant.policy.urls")),
    path("", include("operant.mail.urls")),
    path("", include("operant.monitoring.urls")),
]
