from django.apps import AppConfig


class QuotesConfig(AppConfig):
    name = "operant.quotes"
    label = "quotes"

    def ready(self) -> None:
        from operant.core.worker import register_job
        from operant.quotes.jobs import quotes_expire

        register_job("quotes.expire", quotes_expire)
