from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "operant.desk"
    label = "desk"

    def ready(self) -> None:
        # Imported here: these modules import models, which are not ready at import time.
        from operant.core.worker import register_job
        from operant.desk.jobs import clocks_process_due

        register_job("desk.clocks", clocks_process_due)
