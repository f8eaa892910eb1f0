from django.contrib.auth import views as auth_views
from django.urls import include, path

from operant.web import status_views, views
from operant.web.forms import EmailAuthenticationForm

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("", views.home, name="home"),
    path("status", status_views.status_page, name="status"),
    path("status/feed.atom", status_views.status_feed, name="status_feed"),
    path(
        "login",
        auth_views.LoginView.as_view(
            template_name="web/login.html",
            authentication_form=EmailAuthenticationForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    # POST only (Django 5): a link or an image tag cannot sign someone out.
    path("logout", auth_views.LogoutView.as_view(), name="logout"),
    path("console/", include("operant.web.console.urls")),
    path("portal/", include("operant.web.portal.urls")),
]
