from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "operant.api"
    label = "api"
