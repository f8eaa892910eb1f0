"""`operant web`: serve the desk with gunicorn, a production-grade WSGI server."""

from __future__ import annotations

from typing import Any

from django.core.servers.basehttp import get_internal_wsgi_application
from gunicorn.app.base import BaseApplication

from operant.core.command import OperantCommand
from operant.core.errors import UserError
from operant.core.security import require_secret_key


class _Server(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        # The application settings.WSGI_APPLICATION names, as Django's own runserver loads it:
        # operant.wsgi sits above every app, so this command does not import it.
        return get_internal_wsgi_application()


def parse_bind(value: str) -> str:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UserError(f"--bind: expected HOST:PORT such as 127.0.0.1:8000, got {value!r}")
    return value


class Command(OperantCommand):
    # A long-running process refuses to start on a broken policy file or settings.
    requires_system_checks = "__all__"
    help = "Serve the web console, portal, API and webhooks (gunicorn)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="HOST:PORT to listen on")
        parser.add_argument("--workers", type=int, default=2, help="worker processes")
        parser.add_argument("--threads", type=int, default=4, help="threads per worker")

    def handle(self, *args: Any, **options: Any) -> None:
        require_secret_key()
        if options["workers"] < 1 or options["threads"] < 1:
            raise UserError("--workers and --threads must be at least 1")
        _Server(
            {
                "bind": parse_bind(options["bind"]),
                "workers": options["workers"],
                "threads": options["threads"],
                "worker_class": "gthread",
                "accesslog": "-",
                "graceful_timeout": 10,
            }
        ).run()
