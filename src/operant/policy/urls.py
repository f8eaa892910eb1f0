from django.urls import path

from operant.policy import views

urlpatterns = [
    path("policy", views.policy_page, name="policy"),
    path("policy.md", views.policy_markdown, name="policy-md"),
]
