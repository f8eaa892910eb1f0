"""`operant smtpd` for real: a subprocess listening on its --bind, answering SMTP, stopped by
SIGTERM (what `operant up`, and so the quick start, runs)."""

from __future__ import annotations

import os
import signal
import smtplib
import socket
import subprocess
import sys
import uuid
from pathlib import Path

from tests.waiting import wait_until


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_it_listens_on_its_bind_and_stops_on_sigterm(tmp_path) -> None:
    script = Path(sys.executable).parent / "operant"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "operant.cli"]
    port = _free_port()
    env = {
        **os.environ,
        "OPERANT_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'smtpd.sqlite3'}",
        "OPERANT_SECRET_KEY": uuid.uuid4().hex * 2,
        "OPERANT_DEBUG": "0",
    }
    subprocess.run([*command, "migrate", "--no-input", "-v", "0"], env=env, check=True)
    log = tmp_path / "smtpd.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "smtpd", f"--bind=127.0.0.1:{port}"], env=env, stdout=out, stderr=out
        )
    try:

        def listening() -> bool:
            assert process.poll() is None, log.read_text(errors="replace")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
            except OSError:
                return False
            return True

        wait_until(listening, timeout=120, what="operant smtpd to listen")
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
            code, _ = smtp.ehlo()
        assert code == 250
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0, log.read_text(errors="replace")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
