from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "operant.notify"
    label = "notify"

    def ready(self) -> None:
        # Imported here: these modules import models, which are not ready at import time.
        from operant.core.worker import register_job
        from operant.notify.services import notifications_deliver_due

        register_job("notify.deliver", notifications_deliver_due)
