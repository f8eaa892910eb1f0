"""`operant web` serving for real: a subprocess on loopback, a migrated database of its own,
requests over HTTP, and a graceful stop on SIGTERM, as production runs it."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from email.message import Message
from pathlib import Path

import pytest

from tests.waiting import wait_until

START_TIMEOUT = 120  # seconds; bounds a stuck start only, never a measure of speed


def _operant() -> list[str]:
    script = Path(sys.executable).parent / "operant"
    return [str(script)] if script.exists() else [sys.executable, "-m", "operant.cli"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _fetch(url: str, data: bytes | None = None) -> tuple[int, Message, bytes]:
    """Status, headers (looked up without regard to case) and body."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=30) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.headers, refused.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@pytest.fixture
def served(tmp_path):
    """``operant web`` on a fresh SQLite database of its own (whatever the suite runs on: the
    server is a separate process and must not migrate the suite's PostgreSQL)."""
    env = {
        **os.environ,
        "OPERANT_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'served.sqlite3'}",
        "OPERANT_SECRET_KEY": uuid.uuid4().hex + uuid.uuid4().hex,
        "OPERANT_DEBUG": "0",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    for step in (["migrate", "--no-input", "-v", "0"], ["collectstatic", "--no-input", "-v", "0"]):
        subprocess.run([*_operant(), *step], env=env, check=True, capture_output=True)
    port = _free_port()
    log = tmp_path / "web.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [*_operant(), "web", f"--bind=127.0.0.1:{port}", "--workers=2", "--threads=2"],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its workers in one group, stopped together below
        )
    base = f"http://127.0.0.1:{port}"

    def answering() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"operant web exited: {log.read_text(errors='replace')}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            return False
        return True

    try:
        wait_until(answering, timeout=START_TIMEOUT, what="operant web to listen")
        yield base, process, log
    finally:
        # Whatever the test did: the server and its worker processes are gone after it (a
        # killed main process would leave granian's workers running).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_it_serves_pages_static_files_and_the_ping_api_then_stops_gracefully(served):
    base, process, log = served

    status, headers, body = _fetch(base + "/login")
    assert status == 200
    assert b"<form" in body
    assert any(cookie.startswith("csrftoken=") for cookie in headers.get_all("Set-Cookie", []))
    assert headers.get("X-Frame-Options") == "DENY"

    # The console answers anonymous visitors with a redirect to the login page.
    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirected:
        opener.open(base + "/", timeout=30)
    assert redirected.value.code == 302
    assert redirected.value.headers["Location"].startswith("/login")

    status, headers, body = _fetch(base + "/static/operant.css")  # WhiteNoise, compressed set
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert body

    # A form post without its CSRF token is refused by the middleware, as behind gunicorn.
    status, _, _ = _fetch(base + "/login", data=b"username=a&password=b")
    assert status == 403

    # The ping API reaches the database: an unknown code is looked up and answered 404.
    status, _, body = _fetch(f"{base}/ping/{uuid.uuid4()}", data=b"hello")
    assert (status, body) == (404, b"not found")

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
    written = log.read_text(errors="replace")
    assert '"GET /static/operant.css HTTP/1.1" 200' in written  # the access log is on
    assert "Traceback" not in written
