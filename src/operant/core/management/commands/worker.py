"""`operant worker`: handle everything that is due (notifications, clocks, monitors, …)."""

from __future__ import annotations

from typing import Any

from operant.core.command import OperantCommand
from operant.core.errors import UserError
from operant.core.worker import JOBS, WorkerLoop


class Command(OperantCommand):
    # A long-running process refuses to start on a broken policy file or settings.
    requires_system_checks = "__all__"
    help = "Run the background worker. Any number may run at once."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--once", action="store_true", help="one pass over every job, then exit"
        )
        parser.add_argument(
            "--idle-sleep", type=float, default=1.0, help="seconds between idle passes"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["idle_sleep"] <= 0:
            raise UserError("--idle-sleep must be positive")
        loop = WorkerLoop(idle_sleep=options["idle_sleep"])
        if options["once"]:
            handled = loop.run_once()
            self.stdout.write(f"handled {handled} item(s)")
            return
        loop.install_signal_handlers()
        self.stdout.write(f"worker running jobs: {', '.join(sorted(JOBS)) or 'none'}")
        loop.run_forever()
