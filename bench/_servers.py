"""The processes a web benchmark drives: ``operant web`` as production runs it, and a throwaway
PostgreSQL cluster started by scripts/pg.sh (the test script's own functions, not a copy).

``web_server`` runs ``operant web --bind 127.0.0.1:PORT --workers W [--threads T]`` (granian,
debug off, a secret key set, its access log on, as in production; the log goes to a file) with
the settings module and database it is given, waits until it answers, and stops it (SIGTERM,
granian's graceful stop) on leaving. The floor (bench/peers/bare_settings.py) is served by the
same command, so both sides get the same server settings.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
PEERS_DIR = BENCH_DIR / "peers"
START_TIMEOUT_SECONDS = 60.0


def free_port() -> int:
    """A TCP port free on loopback now (the kernel's pick)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def operant_command() -> list[str]:
    """The ``operant`` console script beside this interpreter (the venv's), else its module."""
    script = Path(sys.executable).parent / "operant"
    return [str(script)] if script.exists() else [sys.executable, "-m", "operant.cli"]


@dataclass(frozen=True)
class WebServer:
    url: str  # scheme, host and port: "http://127.0.0.1:PORT"
    log: Path


@contextmanager
def web_server(
    *,
    env: dict[str, str],
    workers: int,
    threads: int | None,
    log: Path,
    port: int | None = None,
    ready_path: str = "/",
) -> Iterator[WebServer]:
    """``operant web`` on loopback with ``env`` over the current environment; stopped on exit."""
    port = port or free_port()
    command = [
        *operant_command(),
        "web",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        *([f"--threads={threads}"] if threads else []),  # else the command's own default
    ]
    full_env = {**os.environ, "OPERANT_DEBUG": "0", **env}
    if not full_env.get("OPERANT_SECRET_KEY"):
        raise RuntimeError("OPERANT_SECRET_KEY must be set: operant web refuses to start without")
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            command, env=full_env, cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_answering(url + ready_path, process, log)
            yield WebServer(url=url, log=log)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_answering(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Until the server answers anything over HTTP (a 404 is an answer)."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"operant web exited ({process.returncode}):\n{_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"operant web did not answer within {START_TIMEOUT_SECONDS:.0f}s")


def _tail(path: Path, size: int = 3000) -> str:
    return path.read_bytes()[-size:].decode(errors="replace") if path.exists() else ""


def peer_env() -> dict[str, str]:
    """The environment that makes ``operant web`` serve the floor (bench/peers/bare_*.py)."""
    path = os.pathsep.join(filter(None, [str(PEERS_DIR), os.environ.get("PYTHONPATH", "")]))
    return {"DJANGO_SETTINGS_MODULE": "bare_settings", "PYTHONPATH": path}


# --- PostgreSQL ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PgCluster:
    port: int
    directory: str

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str) -> None:
        """One statement outside a transaction (CREATE DATABASE cannot run inside one)."""
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(sql)


def _pg_shell(script: str, port: int, directory: str = "") -> str:
    done = subprocess.run(
        ["bash", "-c", f"source scripts/lib.sh && source scripts/pg.sh && {script}"],
        cwd=ROOT,
        env={**os.environ, "PG_PORT_WANTED": str(port), "PG_DIR_GIVEN": directory},
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"scripts/pg.sh: {script} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


@contextmanager
def pg_cluster(port: int) -> Iterator[PgCluster]:
    """A throwaway PostgreSQL cluster on ``port`` (scripts/pg.sh's pg_start), stopped on exit."""
    out = _pg_shell('PG_PORT="$PG_PORT_WANTED" && pg_start >&2 && echo "PG_DIR=$PG_DIR"', port)
    directory = out.strip().splitlines()[-1].removeprefix("PG_DIR=")
    try:
        yield PgCluster(port=port, directory=directory)
    finally:
        _pg_shell('PG_DIR="$PG_DIR_GIVEN" && pg_stop', port, directory)


# --- benchmarks that time a pass in a process of their own --------------------------------


def named_database(database: str, name: str, workdir: Path, cluster: PgCluster | None) -> str:
    """A new empty database called ``name`` (a SQLite file in ``workdir``, or a database in
    the throwaway cluster); its DATABASE_URL."""
    if database == "sqlite":
        return f"sqlite:///{workdir / f'{name}.sqlite3'}"
    if cluster is None:
        raise RuntimeError("a PostgreSQL database needs the throwaway cluster")
    cluster.execute(f"CREATE DATABASE {name}")
    return cluster.url(name)


def bench_env(url: str, workdir: Path) -> dict[str, str]:
    """The environment of a seeding or timing process on ``url``."""
    return {"DATABASE_URL": url, "OPERANT_DATA_DIR": str(workdir), "OPERANT_LOG_LEVEL": "WARNING"}


def django_setup() -> None:
    """Django set up on the desk's settings, in a seeding or timing process."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "operant.settings")
    import django

    django.setup()
