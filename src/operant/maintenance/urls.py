from django.urls import path

from operant.maintenance.views import calendar

app_name = "maintenance"

urlpatterns = [
    path("calendar/<str:token>.ics", calendar, name="calendar"),
]
