"""wrk, the HTTP load generator from Debian's packages, as the monitoring benchmarks use it.

- ``ensure_wrk`` installs it the way the project installs every Debian package it needs
  (``ensure_debs`` in scripts/lib.sh), so a fresh machine runs the benchmark unaided;
- ``write_requests`` writes the request file bench/wrk_requests.lua reads (one request a line);
- ``run_wrk`` runs wrk with ``--latency`` and returns ``parse_wrk_output`` of what it printed:
  wrk's own report (requests/s, the latency distribution, errors) plus the script's
  ``BENCH-JSON`` line (responses by status, requests handed out, wraps).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
LUA_SCRIPT = BENCH_DIR / "wrk_requests.lua"

_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def ensure_wrk() -> str:
    """The path of wrk, installing Debian's package through scripts/lib.sh when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    subprocess.run(
        ["bash", "-c", 'source "$1/scripts/lib.sh" && ensure_debs wrk', "ensure_wrk", str(ROOT)],
        check=True,
    )
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is still missing after ensure_debs wrk")
    return found


@dataclass(frozen=True)
class Request:
    """One request of a load: what wrk_requests.lua builds from a line of the file."""

    method: str
    path: str
    content_type: str
    body: str = ""
    twilio_signature: str = ""

    def line(self) -> str:
        fields = (self.method, self.path, self.content_type, self.twilio_signature or "-")
        for field in (*fields, self.body):
            if "\t" in field or "\n" in field or "\r" in field:
                raise ValueError(f"a request field holds a tab or a line break: {field!r}")
        return "\t".join((*fields, self.body))


def write_requests(path: Path, requests: Iterable[Request]) -> int:
    """Write the requests one a line; returns how many."""
    lines = [request.line() for request in requests]
    path.write_text("\n".join(lines) + "\n")
    return len(lines)


def run_wrk(
    url: str,
    requests_file: Path,
    *,
    seconds: float,
    connections: int,
    threads: int,
    timeout_seconds: float = 5.0,
) -> dict[str, Any]:
    """Drive ``url`` (scheme, host and port; the paths come from the file) for ``seconds``."""
    threads = max(1, min(threads, connections))
    command = [
        ensure_wrk(),
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={max(1, round(seconds))}s",
        f"--timeout={max(1, round(timeout_seconds))}s",
        "--latency",
        f"--script={LUA_SCRIPT}",
        url,
        "--",
        str(requests_file),
        str(threads),
    ]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    try:
        return parse_wrk_output(done.stdout)
    except ValueError as exc:
        raise RuntimeError(f"{exc}\nwrk printed:\n{done.stdout}\n{done.stderr}") from exc


def parse_duration_ms(text: str) -> float:
    """wrk's durations ("812.00us", "1.25ms", "2.01s", "1.00m") in milliseconds."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNIT_MS[match.group(2)]


def parse_wrk_output(text: str) -> dict[str, Any]:
    """The figures of one wrk run with ``--latency`` and wrk_requests.lua.

    Raises ValueError when a figure the benchmark reports is missing, so a changed wrk
    output format fails loudly instead of reporting zeros."""
    figures: dict[str, Any] = {"latency_ms": {}, "non_2xx_3xx": 0, "socket_errors": {}}
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    total = re.search(r"^\s*(\d+) requests in ([\d.]+\w+),", text, re.M)
    if not rate or not total:
        raise ValueError(f"no request rate or total in wrk's output:\n{text[-1500:]}")
    figures["requests_per_second"] = float(rate.group(1))
    figures["requests"] = int(total.group(1))
    figures["seconds"] = parse_duration_ms(total.group(2)) / 1000.0
    # wrk pads a value in seconds with a space ("1.03s "), so a line may end in blanks.
    distribution = re.search(r"Latency Distribution\n((?:[ \t]+\d+%[ \t]+\S+[ \t]*\n)+)", text)
    if not distribution:
        raise ValueError("no latency distribution in wrk's output (was --latency given?)")
    for percent, value in re.findall(r"(\d+)%\s+(\S+)", distribution.group(1)):
        figures["latency_ms"][f"p{percent}"] = parse_duration_ms(value)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    if non_2xx:
        figures["non_2xx_3xx"] = int(non_2xx.group(1))
    errors = re.search(r"Socket errors: (.+)", text)
    if errors:
        for name, value in re.findall(r"(\w+) (\d+)", errors.group(1)):
            figures["socket_errors"][name] = int(value)
    transfer = re.search(r"^Transfer/sec:\s+(\S+)", text, re.M)
    if transfer:
        figures["transfer_per_second"] = transfer.group(1)
    script = re.search(r"^BENCH-JSON (\{.*\})$", text, re.M)
    if not script:
        raise ValueError("no BENCH-JSON line in wrk's output (wrk_requests.lua's done())")
    figures["script"] = json.loads(script.group(1))
    if "p99" not in figures["latency_ms"]:
        raise ValueError(f"no 99th percentile in wrk's output: {distribution.group(1)!r}")
    figures["p99_ms"] = figures["latency_ms"]["p99"]
    return figures
