from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "operant.desk"
    label = "desk"
