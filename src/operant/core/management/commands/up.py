"""`operant up`: run every process of the desk together (web, worker, inbound SMTP).

Each part is a separate `operant` process, as in production; this command only supervises them.
When one exits, the others are stopped and `up` exits with its code, so a crash is never silent.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import get_commands

from operant.core.command import OperantCommand
from operant.core.security import require_secret_key

# Process name -> the `operant` subcommand that runs it. Parts not built yet are skipped.
PARTS: dict[str, list[str]] = {
    "web": ["web"],
    "worker": ["worker"],
    "smtpd": ["smtpd"],
}


class Command(OperantCommand):
    # A long-running process refuses to start on a broken policy file or settings.
    requires_system_checks = "__all__"
    help = "Run the web server, the worker and the inbound SMTP listener together."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="web HOST:PORT")
        parser.add_argument("--smtp-bind", default="127.0.0.1:2525", help="inbound SMTP HOST:PORT")

    def handle(self, *args: Any, **options: Any) -> None:
        require_secret_key()
        available = get_commands()
        extra = {"web": ["--bind", options["bind"]], "smtpd": ["--bind", options["smtp_bind"]]}
        parts = dict(PARTS)
        if settings.OPERANT_IMAP_HOST:
            # The mailbox reader is its own long-running process, only when a mailbox is set.
            parts["imap"] = ["imap"]
        children: dict[str, subprocess.Popen[bytes]] = {}
        for name, argv in parts.items():
            if argv[0] not in available:
                continue
            command = [sys.executable, "-m", "operant.cli", *argv, *extra.get(name, [])]
            children[name] = subprocess.Popen(command)
            self.stdout.write(f"started {name} (pid {children[name].pid})")
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        exit_code = 0
        while not stopping:
            for name, child in children.items():
                code = child.poll()
                if code is not None:
                    self.stderr.write(f"{name} exited with code {code}; stopping the desk")
                    exit_code = code or 1
                    stopping = True
            time.sleep(0.5)
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        for child in children.values():
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        if exit_code:
            sys.exit(exit_code)
