from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "operant.web"
    label = "web"
