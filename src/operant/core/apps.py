from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "operant.core"
    label = "core"
