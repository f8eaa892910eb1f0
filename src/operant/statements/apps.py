from django.apps import AppConfig


class StatementsConfig(AppConfig):
    name = "operant.statements"
    label = "statements"

    def ready(self) -> None:
        # Imported here: these modules import models, which are not ready at import time.
        from operant.core.worker import register_job
        from operant.statements.jobs import statements_build_due

        register_job("statements.build_due", statements_build_due)
