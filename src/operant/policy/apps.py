from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "operant.policy"
    label = "policy"
