from django.apps import AppConfig


class VendorsConfig(AppConfig):
    name = "operant.vendors"
    label = "vendors"

    def ready(self) -> None:
        # Imported here: these modules import models, which are not ready at import time.
        from operant.core.worker import register_job
        from operant.vendors.corroboration import flips_corroborate
        from operant.vendors.jobs import feeds_poll_due

        register_job("vendors.feeds", feeds_poll_due)
        register_job("vendors.corroborate", flips_corroborate)
