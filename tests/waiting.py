"""Waiting for something a test can observe, never for a length of time.

A test that must let another thread or process get somewhere waits for a sign that it got
there (a row count, a socket that answers, a session in IDLE), so it passes on a slow machine
and a fast one alike. The timeout only bounds a run that is stuck: it is generous and never
a measure of speed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# How often the condition is asked again. Short, so a fast machine is not kept waiting.
POLL_SECONDS = 0.01


def wait_until(condition: Callable[[], T], *, timeout: float, what: str) -> T:
    """The first truthy answer of ``condition()``; TimeoutError naming ``what`` if none comes
    within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        answer = condition()
        if answer:
            return answer
        if time.monotonic() >= deadline:
            raise TimeoutError(f"gave up after {timeout:g} s waiting for {what}")
        time.sleep(POLL_SECONDS)
