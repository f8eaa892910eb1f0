"""Parse the next batch of mail in another process while this one writes the current batch.

Parsing is pure (bytes in, ``ParsedMessage`` out), CPU-bound and about a third of the
pipeline's time; the database work needs this process. So a batch pipeline hands parsing to
worker processes and keeps ahead of itself by a batch: while batch N is routed and written,
batch N+1 is being parsed. On the 2-core machines we run on, that is one parse worker.

The workers are *spawned*, not forked: a forked child would share this process's open
database connections (PostgreSQL's would be closed under the parent when the child exits).
They import only the parsing modules, never Django.

Nothing depends on the pool: with ``OPERANT_PARSE_WORKERS=0``, on a one-core machine, or if a
worker dies, the batch is parsed here, with the same result.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from types import TracebackType

from operant.mail.parse import ParsedMessage, parse_message

log = logging.getLogger(__name__)

# More workers than this only queue up behind the one process that writes.
MAX_WORKERS = 4
# How often a worker checks that the process that started it is still there.
PARENT_CHECK_SECONDS = 0.5


def _exit_with_parent(parent_pid: int) -> None:
    """Worker initializer: leave when the parent is gone. A SIGKILLed parent (the crash case
    the intake is built for) cannot shut its pool down, and an orphaned worker would wait for
    work forever."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def parse_many(raws: list[bytes]) -> list[ParsedMessage]:
    """What a worker runs: one batch, in order."""
    return [parse_message(raw) for raw in raws]


def default_workers() -> int:
    """``OPERANT_PARSE_WORKERS``, or one fewer than the cores (at most 4), so the writing
    process keeps a core of its own."""
    # Imported here, not at the top: parse workers import this module and must not import
    # Django (operant.core.env does); only the writing process reads its settings.
    from operant.core.env import env_int

    cores = os.cpu_count() or 1
    return env_int("OPERANT_PARSE_WORKERS", min(MAX_WORKERS, cores - 1), minimum=0)


class ParsePool:
    """A context manager: ``submit(raws)`` returns a function that gives the parsed batch."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = default_workers() if workers is None else max(0, workers)
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> ParsePool:
        if self.workers:
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_exit_with_parent,
                initargs=(os.getpid(),),
            )
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def warm(self) -> None:
        """Start the workers now (spawning one and importing the parser takes a moment), so
        the first batch does not wait for it."""
        if self._executor is not None:
            for wait in [self.submit([]) for _ in range(self.workers)]:
                wait()

    @property
    def parallel(self) -> bool:
        return self._executor is not None

    def submit(self, raws: list[bytes]) -> Callable[[], list[ParsedMessage]]:
        """Start parsing ``raws``; the returned function waits for the result. Without
        workers (or once they are gone) it parses here, when called."""
        if self._executor is None:
            return lambda: parse_many(raws)
        try:
            future = self._executor.submit(parse_many, raws)
        except (BrokenProcessPool, RuntimeError) as exc:  # RuntimeError: already shut down
            self._give_up(exc)
            return lambda: parse_many(raws)
        return lambda: self._result(future, raws)

    def _result(
        self, future: Future[list[ParsedMessage]], raws: list[bytes]
    ) -> list[ParsedMessage]:
        try:
            return future.result()
        except BrokenProcessPool as exc:  # a worker died (killed, out of memory)
            self._give_up(exc)
        except Exception:  # e.g. a result that would not pickle: parse the batch here
            log.exception("a parse worker failed on a batch of %s; parsing it here", len(raws))
        return parse_many(raws)

    def _give_up(self, exc: BaseException) -> None:
        log.warning("parse workers unavailable (%s); parsing in this process", exc)
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
