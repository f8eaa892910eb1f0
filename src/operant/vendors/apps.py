from django.apps import AppConfig


class VendorsConfig(AppConfig):
    name = "operant.vendors"
    label = "vendors"

    def ready(self) -> None:
        # Imported here: these modules import models, which are not ready at import time.
        from operant.core.worker import register_job
        from operant.desk.emails import register_acknowledgement_context
        from operant.vendors.acknowledgement import vendors_ack_context
        from operant.vendors.corroboration import flips_corroborate
        from operant.vendors.jobs import (
            feeds_poll_due,
            incidents_notices_due,
            incidents_tickets_due,
        )

        register_job("vendors.feeds", feeds_poll_due)
        register_job("vendors.notices", incidents_notices_due)
        register_job("vendors.tickets", incidents_tickets_due)
        register_job("vendors.corroborate", flips_corroborate)
        register_acknowledgement_context(vendors_ack_context)
