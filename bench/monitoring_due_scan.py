"""Benchmark: the worker's due scan over 100,000 workflows against the same scan over 1,000.

The monitoring job (``operant worker``'s registered job) finds the workflows due for a
transition through their indexed due column, never a scan of every row; so a pass that has
the same number of due workflows to handle must cost about the same whatever the number of
workflows that are not due. Each size gets a fresh database (migrated, then the workflows
inserted in bulk: ``--due`` of them due at the measured instant, the rest due well after it,
or never, as paused ones are); then the job's pass is timed ``--passes`` times, each inside a
transaction rolled back afterwards, so every pass finds the same due rows. Also timed: an
idle pass (the instant before anything is due), which is the scan alone.

The sizes run in alternating rounds (mail_pipeline's helpers), each in a fresh process; the
median pass of each size is compared. Every pass must handle exactly the due workflows.

Target (issue 10): the pass over 100,000 within 1.5x of the pass over 1,000. Reported, never
asserted: the exit code is 1 only when a pass handled another number than was due.

Run: ``bench/run monitoring_due_scan`` or ``.venv/bin/python bench/monitoring_due_scan.py
[--sizes 1000,100000] [--due 50] [--passes 15] [--rounds 3] [--databases sqlite,postgresql]
[--pg-port 54339] [--json] [--keep]``; or import and call ``main()``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:  # imported as bench.monitoring_due_scan
    sys.path.insert(0, str(BENCH_DIR))

from _servers import PgCluster, bench_env, django_setup, named_database, pg_cluster  # noqa: E402
from mail_pipeline import alternating_rounds, leave, median_run, publish, run_subprocess  # noqa: E402

TARGET_FLAT = 1.5
DEFAULT_PG_PORT = 54339
# The measured instant; the due workflows fell due in the hour before it.
NOW = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
IDLE_NOW = NOW - timedelta(hours=2)
JOB_NAME = "monitoring.workflows"
PERIOD_SECONDS = 3600
GRACE_SECONDS = 600
BULK_BATCH = 5000


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ints = lambda text: [int(part) for part in text.split(",") if part.strip()]  # noqa: E731
    names = lambda text: [part.strip() for part in text.split(",") if part.strip()]  # noqa: E731
    parser.add_argument("--sizes", type=ints, default=[1000, 100_000])
    parser.add_argument("--due", type=int, default=50, help="due workflows in every size")
    parser.add_argument("--passes", type=int, default=15, help="timed passes per run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--databases", type=names, default=["sqlite"])
    parser.add_argument(
        "--pg-port", type=int, default=int(os.environ.get("OPERANT_BENCH_PG_PORT", DEFAULT_PG_PORT))
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--keep", action="store_true")
    options = parser.parse_args([] if argv is None else argv)
    if set(options.databases) - {"sqlite", "postgresql"}:
        parser.error("--databases: sqlite, postgresql")
    if len(options.sizes) < 2 or min(options.sizes) <= options.due:
        parser.error("--sizes: at least two sizes, each larger than --due")

    workdir = Path(tempfile.mkdtemp(prefix="operant-duescan-"))
    try:
        with ExitStack() as stack:
            cluster = None
            if "postgresql" in options.databases:
                cluster = stack.enter_context(pg_cluster(options.pg_port))
            urls = {
                (database, size): _seeded(database, size, options, workdir, cluster)
                for database in options.databases
                for size in options.sizes
            }
            sides = {
                f"{database}:{size}": _timing_side(url, options, workdir)
                for (database, size), url in urls.items()
            }
            runs = alternating_rounds(sides, options.rounds)
        figures: dict[str, Any] = {"options": vars(options), "runs": runs}
        summarise(figures)
        publish(figures, as_json=options.json, report=report)
    finally:
        leave(workdir, keep=options.keep)
    return figures


def _seeded(
    database: str, size: int, options: argparse.Namespace, workdir: Path, cluster: PgCluster | None
) -> str:
    url = named_database(database, f"scan_{size}", workdir, cluster)
    run_subprocess(
        [sys.executable, str(Path(__file__)), "--seed", str(size), str(options.due)],
        bench_env(url, workdir),
    )
    return url


def _timing_side(url: str, options: argparse.Namespace, workdir: Path) -> Any:
    def run(round_index: int) -> dict[str, Any]:
        command = [sys.executable, str(Path(__file__)), "--time", str(options.passes)]
        return run_subprocess(command, bench_env(url, workdir))

    return run


# --- in the seeding and timing processes --------------------------------------------------


def seed(size: int, due: int) -> dict[str, Any]:
    """Migrate and insert ``size`` workflows in bulk: ``due`` of them pinged so long ago that
    they fell due in the hour before NOW (each at its own minute), a tenth of the rest paused
    (nothing due), the others pinged recently (due after NOW). Their state and due time come
    from ``assess``, the one rule, as if each had just been pinged; the client and its first
    workflow are made by the services, the rest copied from that workflow."""
    django_setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from operant.accounts.services import client_create
    from operant.core.bulk import bulk_insert
    from operant.monitoring.health import assess
    from operant.monitoring.models import Workflow
    from operant.monitoring.registry import workflow_create

    rng = random.Random(size)
    first = workflow_create(
        client=client_create(name="Scan Client", package_key="starter"),
        name="wf 0",
        platform="custom",
        integration_keys=["twilio_sms"],
        period_seconds=PERIOD_SECONDS,
        grace_seconds=GRACE_SECONDS,
        now=NOW - timedelta(days=1),
    )
    period = timedelta(seconds=PERIOD_SECONDS)
    rows = []
    for n in range(1, size):
        if n <= due:  # fell due (its heartbeat expected) 1 to 60 minutes before NOW
            pinged = NOW - period - timedelta(minutes=1 + (n * 59) // due, seconds=rng.random())
        else:
            pinged = NOW - timedelta(minutes=rng.uniform(0, 50))
        workflow = Workflow(
            client_id=first.client_id,
            name=f"wf {n}",
            platform=first.platform,
            created_at=first.created_at,
            updated_at=pinged,
            schedule_kind=first.schedule_kind,
            period_seconds=PERIOD_SECONDS,
            grace_seconds=GRACE_SECONDS,
            last_ping_at=pinged,
            last_signal_at=pinged,
        )
        if n > due and rng.random() < 0.1:
            workflow.paused_at, workflow.paused_reason = pinged, "seasonal campaign"
        verdict = assess(workflow, pinged)
        workflow.state, workflow.state_reason, workflow.due_at = (
            verdict.state,
            verdict.reason,
            verdict.due_at,
        )
        rows.append(workflow)
        if len(rows) == BULK_BATCH:
            bulk_insert(Workflow, rows)
            rows = []
    bulk_insert(Workflow, rows)
    due_now = Workflow.objects.filter(due_at__lte=NOW).count()
    if due_now != due or Workflow.objects.filter(due_at__lte=IDLE_NOW).exists():
        raise RuntimeError(f"seeded {due_now} workflows due at NOW, wanted {due}")
    return {"workflows": Workflow.objects.count(), "due": due_now}


def due_scan_job() -> Any:
    """The worker's registered job that reassesses the due workflows."""
    from operant.core.worker import JOBS

    if JOB_NAME not in JOBS:
        raise RuntimeError(f"no worker job {JOB_NAME!r}; registered: {', '.join(JOBS)}")
    return JOBS[JOB_NAME]


def time_passes(passes: int) -> dict[str, Any]:
    """The job's pass at NOW and at IDLE_NOW, each rolled back; seconds per pass."""
    django_setup()
    from django.db import transaction

    job = due_scan_job()
    timings: dict[str, list[float]] = {"due": [], "idle": []}
    handled: dict[str, set[int]] = {"due": set(), "idle": set()}
    for _ in range(passes):
        for kind, now in (("due", NOW), ("idle", IDLE_NOW)):
            with transaction.atomic():
                began = time.perf_counter()
                handled[kind].add(job(now=now))
                timings[kind].append(time.perf_counter() - began)
                transaction.set_rollback(True)
    due_ms = statistics.median(timings["due"]) * 1000
    return {
        "due_ms": due_ms,
        "idle_ms": statistics.median(timings["idle"]) * 1000,
        "rate": 1000 / due_ms,  # passes per second: what median_run orders by
        "handled": sorted(handled["due"]),
        "handled_idle": sorted(handled["idle"]),
    }


# --- the report ---------------------------------------------------------------------------


def summarise(figures: dict[str, Any]) -> None:
    options, runs = figures["options"], figures["runs"]
    figures["median"] = {side: median_run(side_runs) for side, side_runs in runs.items()}
    figures["handled_ok"] = all(
        run["handled"] == [options["due"]] and run["handled_idle"] == [0]
        for side_runs in runs.values()
        for run in side_runs
    )
    figures["flat"] = {}
    small, large = min(options["sizes"]), max(options["sizes"])
    for database in options["databases"]:
        low, high = (
            figures["median"][f"{database}:{small}"],
            figures["median"][f"{database}:{large}"],
        )
        ratio = high["due_ms"] / low["due_ms"]
        figures["flat"][database] = {
            "ratio": ratio,
            "idle_ratio": high["idle_ms"] / low["idle_ms"],
            "met": ratio <= TARGET_FLAT,
        }


def report(figures: dict[str, Any]) -> None:
    o = figures["options"]
    print(
        f"monitoring_due_scan: {o['due']} due workflows in each size; {o['passes']} passes per "
        f"run, each rolled back; {o['rounds']} alternating round(s), median run shown"
    )
    print(f"{'':>20}  {'pass ms':>8}  {'idle ms':>8}  rounds (pass ms)")
    for side, median in figures["median"].items():
        each = ", ".join(f"{run['due_ms']:.2f}" for run in figures["runs"][side])
        print(f"{side:>20}  {median['due_ms']:>8.2f}  {median['idle_ms']:>8.2f}  {each}")
    small, large = min(o["sizes"]), max(o["sizes"])
    for database, flat in figures["flat"].items():
        print(
            f"{database}: pass over {large:,} / over {small:,} = {flat['ratio']:.2f}x "
            f"(target <= {TARGET_FLAT}x: {'met' if flat['met'] else 'NOT met'}); "
            f"idle pass {flat['idle_ratio']:.2f}x"
        )
    print(
        f"every pass handled exactly the due workflows: {'yes' if figures['handled_ok'] else 'NO'}"
    )


if __name__ == "__main__":
    if len(sys.argv) > 3 and sys.argv[1] == "--seed":
        print(json.dumps(seed(int(sys.argv[2]), int(sys.argv[3]))))
        sys.exit(0)
    if len(sys.argv) > 2 and sys.argv[1] == "--time":
        print(json.dumps(time_passes(int(sys.argv[2]))))
        sys.exit(0)
    figures = main(sys.argv[1:])
    sys.exit(0 if figures["handled_ok"] else 1)
