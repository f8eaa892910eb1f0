from django.apps import AppConfig


class AllowanceConfig(AppConfig):
    name = "operant.allowance"
    label = "allowance"

    def ready(self) -> None:
        # Imported here: models are not ready when this module is imported.
        from operant.allowance.acknowledgement import allowance_acknowledgement_context
        from operant.allowance.jobs import allowance_months_close_due
        from operant.core.worker import register_job
        from operant.desk.emails import register_acknowledgement_context

        register_job("allowance.close_months", allowance_months_close_due)
        register_acknowledgement_context(allowance_acknowledgement_context)
