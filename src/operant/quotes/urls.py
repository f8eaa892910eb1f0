from django.urls import path

from operant.quotes import views

app_name = "quotes"

urlpatterns = [
    # The signed token carries the quote, the action and the revision; see links.py.
    path("respond/<str:token>/", views.respond, name="respond"),
]
