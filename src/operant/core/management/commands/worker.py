"""`operant worker`: handle everything that is due (notifications, clocks, monitors, …)."""

from __future__ import annotations

from typing import Any

from operant.core.command import OperantCommand
from operant.core.limits import finite_number
from operant.core.security import require_secret_key
from operant.core.worker import JOBS, WorkerLoop

# An hour: longer, and due work (notifications, clocks) would wait that long.
MAX_IDLE_SLEEP = 3600


class Command(OperantCommand):
    # A long-running process refuses to start on a broken policy file or settings.
    requires_system_checks = "__all__"
    help = "Run the background worker. Any number may run at once."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--once", action="store_true", help="one pass over every job, then exit"
        )
        # Read as text so a bad number gets our one-line message, not argparse's usage dump.
        parser.add_argument("--idle-sleep", default="1", help="seconds between idle passes")

    def handle(self, *args: Any, **options: Any) -> None:
        require_secret_key()
        idle_sleep = finite_number(
            options["idle_sleep"], "--idle-sleep", minimum=0, maximum=MAX_IDLE_SLEEP
        )
        loop = WorkerLoop(idle_sleep=idle_sleep)
        if options["once"]:
            handled = loop.run_once()
            self.stdout.write(f"handled {handled} item(s)")
            return
        loop.install_signal_handlers()
        self.stdout.write(f"worker running jobs: {', '.join(sorted(JOBS)) or 'none'}")
        loop.run_forever()
