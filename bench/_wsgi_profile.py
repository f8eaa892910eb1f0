"""Where a request's time goes: the requests of a load file sent in-process through the WSGI
application ``operant web`` serves (every middleware, the URL resolver, the view, the database),
timed plainly and then under cProfile. Runs in a process of its own with Django set up on a
seeded database (``monitoring_ingest.py --profile``); no server and no wrk, so the figures
are per request on one thread, not a throughput.
"""

from __future__ import annotations

import cProfile
import io
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from mail_pipeline import hotspots

WARM_UP = 50


def read_requests(path: Path) -> list[list[str]]:
    """The load file's lines as [method, path, content type, signature, body]."""
    return [line.split("\t") for line in path.read_text().splitlines() if line]


def environ(fields: list[str], host: str) -> dict[str, Any]:
    method, full_path, content_type, signature, body = fields
    raw = body.encode()
    path, _, query = full_path.partition("?")
    env = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": host.partition(":")[0],
        "SERVER_PORT": host.partition(":")[2] or "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host,
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(raw)),
        "wsgi.input": io.BytesIO(raw),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }
    if signature != "-":
        env["HTTP_X_TWILIO_SIGNATURE"] = signature
    return env


def profile_requests(
    requests_file: Path, *, count: int, host: str, stats_file: Path
) -> dict[str, Any]:
    """Send ``count`` requests of the file (after a warm-up), timed, then ``count`` more under
    cProfile; the statuses answered, the mean milliseconds per request, and the hotspots."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "operant.settings")  # the floor sets its own
    import django
    from django.core.wsgi import get_wsgi_application

    django.setup()
    application = get_wsgi_application()
    lines = read_requests(requests_file)
    statuses: Counter[str] = Counter()

    def send(index: int) -> None:
        answered: list[str] = []
        env = environ(lines[index % len(lines)], host)
        body = application(env, lambda status, headers: answered.append(status))
        b"".join(body)
        statuses[answered[0].split()[0]] += 1

    for index in range(WARM_UP):
        send(index)
    began, began_cpu = time.perf_counter(), time.process_time()
    for index in range(WARM_UP, WARM_UP + count):
        send(index)
    per_request_ms = (time.perf_counter() - began) / count * 1000
    # The process's own CPU time: steadier than the wall clock on a shared, busy machine.
    per_request_cpu_ms = (time.process_time() - began_cpu) / count * 1000
    profiler = cProfile.Profile()
    profiler.enable()
    for index in range(WARM_UP + count, WARM_UP + 2 * count):
        send(index)
    profiler.disable()
    profiler.dump_stats(str(stats_file))
    return {
        "per_request_ms": per_request_ms,
        "per_request_cpu_ms": per_request_cpu_ms,
        "statuses": dict(statuses),
        "hotspots": hotspots(stats_file, limit=30),
    }
