from django.urls import path

from operant.web.console import views

app_name = "console"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("clients/", views.client_list, name="clients"),
    path("clients/<slug:slug>/", views.client_detail, name="client"),
]
