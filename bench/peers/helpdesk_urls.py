"""URLs for the helpdesk peer: its own URLconf, so the links in its notification emails resolve."""

from django.urls import include, path

urlpatterns = [path("helpdesk/", include("helpdesk.urls", namespace="helpdesk"))]
