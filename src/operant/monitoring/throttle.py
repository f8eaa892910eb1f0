"""Throttling the ping endpoint: a token bucket per workflow code, and one per network for
codes that do not exist (someone guessing).

Kept in each web process's memory, not in the database like sign-in throttling: a counter row
per ping would double the writes of the hottest path. N processes allow N times the rate,
which is still enough to stop a runaway loop or a scan (docs/decisions.md).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

MAX_KEYS = 50_000  # least recently seen keys beyond this are forgotten


@dataclass
class _Bucket:
    tokens: float
    at: float


class TokenBuckets:
    """``allow(key)`` is True while ``key`` stays under ``rate`` per second on average, with
    bursts of up to ``burst``."""

    def __init__(self, *, rate: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self.rate, self.burst, self._clock = rate, burst, clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()  # the web server's threads share the process's buckets

    def allow(self, key: str) -> bool:
        now = self._clock()
        with self._lock:
            bucket = self._buckets.pop(key, None) or _Bucket(tokens=float(self.burst), at=now)
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
            allowed = bucket.tokens >= 1
            if allowed:
                bucket.tokens -= 1
            self._buckets[key] = bucket
            if len(self._buckets) > MAX_KEYS:
                self._buckets.popitem(last=False)
            return allowed
