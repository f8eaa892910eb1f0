from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "operant.accounts"
    label = "accounts"
