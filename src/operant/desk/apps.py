from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "operant.desk"
    label = "desk"

    def ready(self) -> None:
        from operant.core.worker import register_job
        from operant.desk.jobs import clocks_process_due

        register_job("desk.clocks", clocks_process_due)
