from django.apps import AppConfig


class AllowanceConfig(AppConfig):
    name = "operant.allowance"
    label = "allowance"
