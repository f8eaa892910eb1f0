from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "operant.monitoring"
    label = "monitoring"

    def ready(self) -> None:
        # Imported here: these modules import models, which are not ready at import time.
        from operant.core.worker import register_job
        from operant.desk.emails import register_acknowledgement_context
        from operant.monitoring.acknowledgement import monitoring_ack_context
        from operant.monitoring.jobs import flips_process_due, workflows_process_due

        register_job("monitoring.workflows", workflows_process_due)
        register_job("monitoring.flips", flips_process_due)
        register_acknowledgement_context(monitoring_ack_context)
