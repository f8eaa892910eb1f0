"""`operant smtpd`: listen for inbound mail to the support address."""

from __future__ import annotations

import signal
import threading
from typing import Any

from operant.core.command import OperantCommand
from operant.core.errors import UserError
from operant.core.management.commands.web import parse_bind
from operant.core.security import require_secret_key
from operant.mail.channels.smtp import smtp_controller
from operant.mail.warmup import pipeline_warm_up


class Command(OperantCommand):
    # A long-running process refuses to start on a broken policy file or settings.
    requires_system_checks = "__all__"
    help = "Receive support mail by SMTP (direct delivery to the desk)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default="127.0.0.1:2525", help="HOST:PORT to listen on")

    def handle(self, *args: Any, **options: Any) -> None:
        require_secret_key()
        host, port = parse_bind(options["bind"])
        pipeline_warm_up()  # before the first mail, not during it
        controller = smtp_controller(host=host, port=port)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        try:
            controller.start()
        except OSError as exc:
            raise UserError(f"cannot listen on {options['bind']}: {exc.strerror}") from exc
        self.stdout.write(f"smtpd listening on {options['bind']}")
        stop.wait()
        controller.stop()
