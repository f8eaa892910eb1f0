from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "operant.mail"
    label = "mail"
