from django.apps import AppConfig


class MaintenanceConfig(AppConfig):
    name = "operant.maintenance"
    label = "maintenance"

    def ready(self) -> None:
        # Imported here: these modules import models, which are not ready at import time.
        from operant.core.worker import register_job
        from operant.maintenance.jobs import (
            occurrences_after_due,
            occurrences_notices_due,
            windows_expand_due,
        )
        from operant.maintenance.quiet import maintenance_quiet_reason
        from operant.maintenance.vendor_windows import vendor_windows_sync
        from operant.monitoring.quiet import register_quiet_check
        from operant.monitoring.vendor_maintenance import register_vendor_maintenance_sink

        register_job("maintenance.expand", windows_expand_due)
        register_job("maintenance.notices", occurrences_notices_due)
        register_job("maintenance.after", occurrences_after_due)
        register_quiet_check(maintenance_quiet_reason)
        register_vendor_maintenance_sink(vendor_windows_sync)
