from django.urls import path

from operant.mail.channels.webhook import mailgun_inbound

urlpatterns = [
    path("webhooks/mailgun/inbound", mailgun_inbound, name="mailgun-inbound"),
]
