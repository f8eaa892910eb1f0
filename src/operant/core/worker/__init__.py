"""The background worker: a registry of jobs that each handle what is due now.

Every domain app registers its jobs in ``AppConfig.ready()``. A job is a function
``job(*, now) -> int`` that finds due rows through an indexed ``*_due_at`` column, claims each
with a conditional update, handles it, and returns how many it handled. Many workers may run
at once against the same database: claiming makes that safe.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import close_old_connections
from django.utils import timezone

log = logging.getLogger("operant.worker")

Job = Callable[..., int]
JOBS: dict[str, Job] = {}


def register_job(name: str, job: Job) -> None:
    JOBS[name] = job


@dataclass
class WorkerLoop:
    """Run the registered jobs until told to stop; SIGTERM lets the current item finish."""

    idle_sleep: float = 1.0
    jobs: dict[str, Job] = field(default_factory=lambda: JOBS)
    stopping: bool = False

    def install_signal_handlers(self) -> None:
        def stop(signum: int, frame: Any) -> None:
            log.info("signal %s: finishing the current item, then stopping", signum)
            self.stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)

    def run_once(self, now: datetime | None = None) -> int:
        """One pass over every job; returns the number of items handled."""
        handled = 0
        for name, job in self.jobs.items():
            if self.stopping:
                break
            try:
                handled += job(now=now or timezone.now())
            except Exception:
                # One failing job must not stop the others; it is retried on the next pass.
                log.exception("job %s failed", name)
        return handled

    def run_forever(self, *, max_passes: int | None = None) -> None:
        passes = 0
        while not self.stopping and (max_passes is None or passes < max_passes):
            close_old_connections()
            handled = self.run_once()
            passes += 1
            if not handled and not self.stopping:
                time.sleep(self.idle_sleep)
