from django.apps import AppConfig


class AllowanceConfig(AppConfig):
    name = "operant.allowance"
    label = "allowance"

    def ready(self) -> None:
        from operant.allowance.jobs import allowance_months_close_due
        from operant.core.worker import register_job

        register_job("allowance.close_months", allowance_months_close_due)
