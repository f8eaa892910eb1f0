"""A local fake of a chat service's incoming webhook (Slack's and the services that copy it).

It answers ``200 ok`` as Slack does, records every post, and can be told to answer the next
posts with an error status to exercise retries.
"""

from __future__ import annotations

import threading
from typing import Any

from tests.fakes.loopback import LoopbackServer, RecordedRequest, Reply

PATH = "/services/T000/B000/XXXX"


class FakeChatWebhook:
    def __init__(self) -> None:
        self._failures: list[int] = []
        self._lock = threading.Lock()
        self._server = LoopbackServer(self._answer)

    @property
    def url(self) -> str:
        """The webhook URL to post to (plain HTTP on loopback)."""
        return self._server.base_url + PATH

    @property
    def requests(self) -> list[RecordedRequest]:
        return self._server.requests

    @property
    def payloads(self) -> list[Any]:
        return [request.json for request in self.requests]

    def fail_next(self, *, status: int, times: int = 1) -> None:
        with self._lock:
            self._failures.extend([status] * times)

    def __enter__(self) -> FakeChatWebhook:
        self._server.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.stop()

    def _answer(self, request: RecordedRequest) -> Reply:
        with self._lock:
            status = self._failures.pop(0) if self._failures else None
        if status is not None:
            return Reply(status, b"internal_error", {"Content-Type": "text/plain"})
        if request.method != "POST" or request.path != PATH:
            return Reply(404, b"no_service", {"Content-Type": "text/plain"})
        return Reply(200, b"ok", {"Content-Type": "text/plain"})
