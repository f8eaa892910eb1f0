"""`operant web`: serve the desk with granian, a production-grade HTTP server for WSGI apps.

Why granian and not gunicorn (docs/decisions.md, "granian"): its HTTP layer is Rust, so
the per-request cost outside the application is a fraction of gunicorn's threaded Python
workers; on the 2-core machines the desk is measured on, a bare Django view served by gunicorn
answered about 1,000-2,300 requests/s and by granian about 5,000, and the machine endpoints
(pings, provider webhooks) are bounded by that layer as much as by the desk's own work.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from granian.constants import Interfaces
from granian.server import Server

from operant.core.command import OperantCommand
from operant.core.errors import UserError
from operant.core.security import require_secret_key

# Seconds a stopping worker gets to finish the requests it accepted before it is killed.
GRACEFUL_SECONDS = 10


def parse_bind(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UserError(f"--bind: expected HOST:PORT such as 127.0.0.1:8000, got {value!r}")
    return host.strip("[]"), int(port)


def wsgi_target() -> tuple[str, bool]:
    """The application settings.WSGI_APPLICATION names ("pkg.module.attr") as granian's
    "pkg.module:attr", which each worker imports, as Django's own runserver loads it
    (operant.wsgi sits above every app, so this command does not import it). Without the
    setting, Django's default application, built by its factory. Returns (target, factory)."""
    if not settings.WSGI_APPLICATION:
        return "django.core.wsgi:get_wsgi_application", True
    module, _, attribute = settings.WSGI_APPLICATION.rpartition(".")
    return f"{module}:{attribute}", False


# Application threads per worker process on PostgreSQL: a thread waiting on the database
# leaves the processor to another.
THREADS = 4


def default_threads(engine: str) -> int:
    """How many application threads a worker runs unless told: one on SQLite, which takes one
    writer at a time, so a second thread of the process only waits for the lock in SQLite's
    busy handler (which sleeps in steps of milliseconds: on the ping endpoint, four threads per
    process gave a p99 of 100-880 ms where one gave under 50 ms, at the same throughput);
    ``THREADS`` elsewhere. ``engine``: the default database's ENGINE setting."""
    return 1 if engine.endswith("sqlite3") else THREADS


def server_options(*, bind: str, workers: int, threads: int) -> dict[str, Any]:
    """What granian is given: the settings' application on ``bind``, ``workers`` processes of
    ``threads`` application threads each, the access log on."""
    if workers < 1 or threads < 1:
        raise UserError("--workers and --threads must be at least 1")
    address, port = parse_bind(bind)
    target, factory = wsgi_target()
    return {
        "target": target,
        "factory": factory,
        "address": address,
        "port": port,
        "interface": Interfaces.WSGI,
        "workers": workers,
        "blocking_threads": threads,
        "websockets": False,
        "log_access": True,
        "workers_kill_timeout": GRACEFUL_SECONDS,
        "respawn_failed_workers": True,
    }


class Command(OperantCommand):
    # A long-running process refuses to start on a broken policy file or settings.
    requires_system_checks = "__all__"
    help = "Serve the web console, portal, API and webhooks (granian)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="HOST:PORT to listen on")
        parser.add_argument("--workers", type=int, default=2, help="worker processes")
        parser.add_argument(
            "--threads",
            type=int,
            default=None,
            help=f"threads per worker (default: 1 on SQLite, {THREADS} on PostgreSQL)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        require_secret_key()
        Server(
            **server_options(
                bind=options["bind"],
                workers=options["workers"],
                threads=options["threads"]
                if options["threads"] is not None
                else default_threads(settings.DATABASES.get("default", {}).get("ENGINE", "")),
            )
        ).serve()
