"""Benchmark: a vendor incident affecting 5,000 clients, its affected clients found and its
notices queued, against the same at 50 clients and against the outbox write alone.

Each size gets a fresh database (migrated; the clients inserted in bulk, each with a package
holding ``twilio_sms``, one contact and a billing address; then one manual incident on
``twilio_sms`` reported through the vendors service, major, started long enough ago to be
material). The worker's registered ``vendors.notices`` job then makes its pass at the measured
instant: it claims the incident, decides it is material, finds the affected clients (the one
rule, ``vendors.queries.incident_affected_clients``) and queues a notice to each through the
notify outbox. The pass runs ``--passes`` times, each inside a transaction rolled back after,
so every pass does the whole work; its statements are counted.

The floor, measured in the same process: the outbox write alone, the same number of
notifications built by ``notify.services.notification_build`` and queued by
``notifications_queue_many`` (rolled back too), with no incident, rule or rendering around it.

Targets (issue 11): the pass over 5,000 clients within 2 s on PostgreSQL, with a statement
count that does not grow with the number of clients (the same at 50 and at 5,000). Reported,
never asserted: the exit code is 1 only when a pass queued another number of notices than
there are affected clients.

Run: ``bench/run vendor_incident_notices`` or ``.venv/bin/python
bench/vendor_incident_notices.py [--sizes 50,5000] [--passes 5] [--rounds 3]
[--databases postgresql,sqlite] [--pg-port 54339] [--json] [--keep]``; or call ``main()``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:  # imported as bench.vendor_incident_notices
    sys.path.insert(0, str(BENCH_DIR))

from _servers import PgCluster, bench_env, django_setup, named_database, pg_cluster  # noqa: E402
from mail_pipeline import alternating_rounds, leave, median_run, publish, run_subprocess  # noqa: E402

TARGET_SECONDS = 2.0
DEFAULT_PG_PORT = 54339
NOW = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # the measured instant
STARTED = NOW - timedelta(hours=1)  # long past the policy's minimum duration
JOB_NAME = "vendors.notices"
PACKAGE = "starter"  # holds twilio_sms in the shipped policy's seed
INTEGRATION = "twilio_sms"
BULK_BATCH = 2000


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ints = lambda text: [int(part) for part in text.split(",") if part.strip()]  # noqa: E731
    names = lambda text: [part.strip() for part in text.split(",") if part.strip()]  # noqa: E731
    parser.add_argument("--sizes", type=ints, default=[50, 5000])
    parser.add_argument("--passes", type=int, default=5, help="timed passes per run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--databases", type=names, default=["postgresql"])
    parser.add_argument(
        "--pg-port", type=int, default=int(os.environ.get("OPERANT_BENCH_PG_PORT", DEFAULT_PG_PORT))
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--keep", action="store_true")
    options = parser.parse_args([] if argv is None else argv)
    if not options.databases or set(options.databases) - {"sqlite", "postgresql"}:
        parser.error("--databases: sqlite, postgresql")
    if len(options.sizes) < 2 or min(options.sizes) < 1:
        parser.error("--sizes: at least two sizes, each at least 1")
    if options.passes < 1 or options.rounds < 1:
        parser.error("--passes and --rounds must be at least 1")

    workdir = Path(tempfile.mkdtemp(prefix="operant-vendor-notices-"))
    try:
        with ExitStack() as stack:
            cluster = None
            if "postgresql" in options.databases:
                cluster = stack.enter_context(pg_cluster(options.pg_port))
            urls = {
                (database, size): _seeded(database, size, workdir, cluster)
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


def _seeded(database: str, size: int, workdir: Path, cluster: PgCluster | None) -> str:
    url = named_database(database, f"notices_{size}", workdir, cluster)
    run_subprocess(
        [sys.executable, str(Path(__file__)), "--seed", str(size)], bench_env(url, workdir)
    )
    return url


def _timing_side(url: str, options: argparse.Namespace, workdir: Path) -> Any:
    def run(round_index: int) -> dict[str, Any]:
        command = [sys.executable, str(Path(__file__)), "--time", str(options.passes)]
        return run_subprocess(command, bench_env(url, workdir))

    return run


# --- in the seeding and timing processes --------------------------------------------------


def seed(size: int) -> dict[str, Any]:
    """Migrate; ``size`` clients (the first by the service, the rest copied from it in bulk),
    each with one contact; one material incident on twilio_sms, reported by the service."""
    django_setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from operant.accounts.models import Client, Contact
    from operant.accounts.services import client_create
    from operant.vendors.incidents import incident_report
    from operant.vendors.models import Impact

    first = client_create(name="Client 0", package_key=PACKAGE, emails=["ops@client0.example"])
    for start in range(1, size, BULK_BATCH):
        numbers = range(start, min(start + BULK_BATCH, size))
        clients = Client.objects.bulk_create(
            Client(
                slug=f"client-{n}",
                name=f"Client {n}",
                timezone=first.timezone,
                package_id=first.package_id,
                billing_email=f"billing@client{n}.example",
                standing_changed_at=STARTED,
            )
            for n in numbers
        )
        Contact.objects.bulk_create(
            Contact(client=client, email=f"ops@client{n}.example")
            for n, client in zip(numbers, clients, strict=True)
        )
    incident_report(
        vendor_key="twilio",
        title="Delayed SMS delivery to US numbers",
        integration_keys=[INTEGRATION],
        body="We are investigating delayed delivery of SMS to US numbers.",
        now=STARTED,
        impact=Impact.MAJOR,
    )
    return {"clients": Client.objects.count()}


def _job() -> Any:
    from operant.core.worker import JOBS

    if JOB_NAME not in JOBS:
        raise RuntimeError(f"no worker job {JOB_NAME!r}; registered: {', '.join(JOBS)}")
    return JOBS[JOB_NAME]


def _floor_pass(size: int) -> float:
    """The outbox write alone for ``size`` notices: built and queued, rolled back."""
    from django.db import transaction

    from operant.notify.services import notification_build, notifications_queue_many

    with transaction.atomic():
        began = time.perf_counter()
        built = [
            notification_build(
                kind="bench.floor",
                to=[f"ops@client{n}.example", f"billing@client{n}.example"],
                subject="Service disruption: Twilio (Twilio SMS): Delayed SMS delivery",
                body_text="We are investigating delayed delivery of SMS to US numbers.\n" * 8,
                now=NOW,
                dedupe_key=f"bench-floor:{n}",
            )
            for n in range(size)
        ]
        notifications_queue_many(built)
        elapsed = time.perf_counter() - began
        transaction.set_rollback(True)
    return elapsed


def time_passes(passes: int) -> dict[str, Any]:
    """The job's pass at NOW, each rolled back: seconds, statements and notices queued; and
    the floor's seconds for the same number of notices."""
    django_setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from operant.accounts.models import Client

    job = _job()
    size = Client.objects.count()
    seconds, statements, queued = [], set(), set()
    for _ in range(passes):
        with transaction.atomic(), CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            queued.add(job(now=NOW))
            seconds.append(time.perf_counter() - began)
            statements.add(len(captured.captured_queries))
            transaction.set_rollback(True)
    floor = [_floor_pass(size) for _ in range(passes)]
    pass_s = statistics.median(seconds)
    return {
        "clients": size,
        "pass_s": pass_s,
        "floor_s": statistics.median(floor),
        "rate": 1 / pass_s,  # passes per second: what median_run orders by
        "statements": sorted(statements),
        "queued": sorted(queued),
    }


# --- the report ---------------------------------------------------------------------------


def summarise(figures: dict[str, Any]) -> None:
    options, runs = figures["options"], figures["runs"]
    figures["median"] = {side: median_run(side_runs) for side, side_runs in runs.items()}
    figures["queued_ok"] = all(
        run["queued"] == [run["clients"]] for side_runs in runs.values() for run in side_runs
    )
    small, large = min(options["sizes"]), max(options["sizes"])
    figures["checks"] = {}
    for database in options["databases"]:
        low, high = (
            figures["median"][f"{database}:{small}"],
            figures["median"][f"{database}:{large}"],
        )
        figures["checks"][database] = {
            "seconds": high["pass_s"],
            "seconds_met": high["pass_s"] <= TARGET_SECONDS,
            "ratio_to_floor": high["pass_s"] / high["floor_s"],
            "statements": (low["statements"], high["statements"]),
            "statements_flat": low["statements"] == high["statements"]
            and len(high["statements"]) == 1,
        }


def report(figures: dict[str, Any]) -> None:
    o = figures["options"]
    print(
        f"vendor_incident_notices: one material incident on {INTEGRATION}, every client "
        f"affected; {o['passes']} passes per run, each rolled back; {o['rounds']} alternating "
        "round(s), median run shown"
    )
    print(f"{'':>18}  {'pass s':>8}  {'floor s':>8}  {'vs floor':>8}  statements  queued")
    for side, median in figures["median"].items():
        ratio = median["pass_s"] / median["floor_s"]
        print(
            f"{side:>18}  {median['pass_s']:>8.3f}  {median['floor_s']:>8.3f}  {ratio:>7.2f}x  "
            f"{median['statements']!s:>10}  {median['queued']}"
        )
    large = max(o["sizes"])
    for database, check in figures["checks"].items():
        print(
            f"{database}: {large:,} clients in {check['seconds']:.3f} s (target <= "
            f"{TARGET_SECONDS:.0f} s: {'met' if check['seconds_met'] else 'NOT met'}), "
            f"{check['ratio_to_floor']:.2f}x the outbox write alone; statements "
            f"{check['statements'][0]} at {min(o['sizes']):,} and {check['statements'][1]} at "
            f"{large:,} ({'flat: met' if check['statements_flat'] else 'NOT flat'})"
        )
    print(
        "every pass queued one notice per affected client: "
        f"{'yes' if figures['queued_ok'] else 'NO'}"
    )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--seed":
        print(json.dumps(seed(int(sys.argv[2]))))
        sys.exit(0)
    if len(sys.argv) > 2 and sys.argv[1] == "--time":
        print(json.dumps(time_passes(int(sys.argv[2]))))
        sys.exit(0)
    figures = main(sys.argv[1:])
    sys.exit(0 if figures["queued_ok"] else 1)
