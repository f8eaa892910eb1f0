from django.apps import AppConfig


class QuotesConfig(AppConfig):
    name = "operant.quotes"
    label = "quotes"
