from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "operant.policy"
    label = "policy"

    def ready(self) -> None:
        from operant.policy import checks  # noqa: F401 - registers the system check
