from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "operant.demo"
    label = "demo"
