from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "operant.mail"
    label = "mail"

    def ready(self) -> None:
        # Imported here: these modules import models, which are not ready at import time.
        from anymail.signals import inbound

        from operant.core.worker import register_job
        from operant.mail.channels.webhook import store_inbound_event
        from operant.mail.services import inbound_process_due

        # Messages a channel stored but could not process (or a worker left mid-way).
        register_job("mail.process", inbound_process_due)
        inbound.connect(store_inbound_event, dispatch_uid="operant.mail.webhook")
