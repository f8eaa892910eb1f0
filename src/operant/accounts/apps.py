from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "operant.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Imported here: these modules import models, which are not ready at import time.
        from operant.accounts.signin import signin_links_send_due
        from operant.core.worker import register_job

        register_job("accounts.signin_links", signin_links_send_due)
