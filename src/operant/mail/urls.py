from django.urls import path

from operant.mail.channels.webhook import mailgun_inbound

urlpatterns = [
    path("webhooks/mailgun/inbound", mailgun_inbound, name="mailgun-inbound"),
    # Mailgun posts the raw MIME (body-mime) only to a URL that ends in "mime".
    path("webhooks/mailgun/inbound-mime", mailgun_inbound, name="mailgun-inbound-mime"),
]
