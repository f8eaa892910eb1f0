from django.apps import AppConfig


class QuotesConfig(AppConfig):
    name = "operant.quotes"
    label = "quotes"

    def ready(self) -> None:
        # Imported here: these modules import models, which are not ready at import time.
        from operant.allowance.services import register_quote_finder
        from operant.core.worker import register_job
        from operant.quotes.jobs import quotes_expire
        from operant.quotes.services import quote_by_ref

        register_job("quotes.expire", quotes_expire)
        register_quote_finder(quote_by_ref)
