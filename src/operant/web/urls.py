from django.urls import path

from operant.web import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
]
