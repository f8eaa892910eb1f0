"""Benchmark: the ping endpoint and the Twilio status callback under load, against a bare view.

For SQLite and for PostgreSQL (a throwaway cluster started by scripts/pg.sh, as scripts/test
does), a fresh database is migrated and seeded with a fleet of clients and workflows through
the desk's services; ``operant web`` then serves it exactly as production runs it (granian,
``--workers``/``--threads``, debug off, a secret key set, its access log on), and wrk (Debian's
package, installed by scripts/lib.sh's ``ensure_debs`` when missing) drives it on loopback:

- pings: POST with a small body to ``/ping/<uuid>`` (some ``/start``) spread over every
  workflow's code (bench/_monitoring_set.py);
- callbacks: distinct Twilio message status callbacks, each signed for its account with
  twilio's ``RequestValidator.compute_signature`` as Twilio signs, posted with their
  ``X-Twilio-Signature``.

Beside them, in the same run and served by the same command with the same server settings,
the floor: a bare Django view answering "OK" (bench/peers/bare_settings.py), sent the same
requests. Every run gets a fresh copy of the seeded database, a warm-up, then the timed run;
the sides run in alternating rounds (mail_pipeline's helpers) and the median run of each is
shown. After each run of ours the server is stopped (its workers finish what they accepted)
and the stored ping or callback rows are counted: every 2xx answer must have its row ("lost"
counts those missing); rows beyond the 2xx count can only be requests wrk abandoned at its
deadline, and there may be no more of them than wrk left unanswered.

Targets (issue 10): at least 1,000 pings/s and 1,000 callbacks/s on both databases, p99
under 50 ms, not one ping lost. Reported, never asserted: the exit code is 1 only when a run
lost or duplicated rows (or crashed).

Run: ``bench/run monitoring_ingest`` or ``.venv/bin/python bench/monitoring_ingest.py
[--databases sqlite,postgresql] [--targets ping,callback] [--seconds 10] [--warmup 2]
[--rounds 3] [--workflows 2000] [--clients 50] [--workers 2] [--threads T] [--connections 8]
[--pg-port 54339] [--json] [--keep]``; or import and call ``main()`` (returns the figures).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sqlite3
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:  # imported as bench.monitoring_ingest
    sys.path.insert(0, str(BENCH_DIR))

from _monitoring_set import (  # noqa: E402
    CALLBACK_PATH,
    Fleet,
    callback_requests,
    make_fleet,
    ping_requests,
)
from _servers import PgCluster, free_port, peer_env, pg_cluster, web_server  # noqa: E402
from _wrk import ensure_wrk, run_wrk, write_requests  # noqa: E402
from mail_pipeline import alternating_rounds, leave, median_run, publish, run_subprocess  # noqa: E402

TARGET_RATE = 1000.0
TARGET_P99_MS = 50.0
DATABASES = ("sqlite", "postgresql")
TARGETS = ("ping", "callback")
STORED_KEY = {"ping": "pings", "callback": "callbacks"}
PING_LINES = 20_000  # pings may repeat (each is a new row), so the file need not be long
# Callbacks must not repeat within a run (a repeat is a replay, stored once): enough distinct
# bodies for this rate over the whole run; a wrap is reported if the server was faster.
CALLBACK_RATE_BOUND = 4000
DEFAULT_PG_PORT = 54339


@dataclass
class Load:
    """The request files of one database: the warm-up's and the timed run's."""

    warmup: Path
    timed: Path


class Bench:
    def __init__(self, options: argparse.Namespace, workdir: Path, cluster: PgCluster | None):
        self.options = options
        self.workdir = workdir
        self.cluster = cluster
        self.ours_port = free_port()
        self.floor_port = free_port()
        self.templates: dict[str, str] = {}  # database kind -> template (file or name)
        self.loads: dict[tuple[str, str], Load] = {}  # (database, target) -> files
        self.callback_routed = True
        self.baselines: dict[str, dict[str, int]] = {}  # rows in the seeded template
        self._names = itertools.count(1)

    # --- preparation ---------------------------------------------------------------------

    def prepare(self, fleet: Fleet) -> None:
        fleet_file = self.workdir / "fleet.json"
        fleet_file.write_text(json.dumps(fleet.as_dict()))
        options = self.options
        base_url = f"http://127.0.0.1:{self.ours_port}"
        callbacks = Load(self.workdir / "callbacks-warmup.tsv", self.workdir / "callbacks.tsv")
        warm_count = CALLBACK_RATE_BOUND * max(1, options.warmup)
        timed_count = CALLBACK_RATE_BOUND * options.seconds
        for path, count, seed in (
            (callbacks.warmup, warm_count, options.seed + 1),
            (callbacks.timed, timed_count, options.seed + 2),
        ):
            write_requests(
                path, callback_requests(fleet, base_url=base_url, count=count, seed=seed)
            )
        for database in options.databases:
            url = self._template_url(database)
            seeded = run_subprocess(
                [sys.executable, str(Path(__file__)), "--db-task", "seed", str(fleet_file)],
                self._db_env(url),
            )
            self.callback_routed = self.callback_routed and seeded["callback_routed"]
            self.baselines[database] = seeded["baseline"]
            pings = Load(
                self.workdir / f"pings-{database}-warmup.tsv",
                self.workdir / f"pings-{database}.tsv",
            )
            for path, seed in ((pings.warmup, options.seed + 3), (pings.timed, options.seed + 4)):
                write_requests(
                    path, ping_requests(seeded["ping_codes"], count=PING_LINES, seed=seed)
                )
            self.loads[(database, "ping")] = pings
            self.loads[(database, "callback")] = callbacks

    def _template_url(self, database: str) -> str:
        if database == "sqlite":
            path = self.workdir / "template.sqlite3"
            self.templates[database] = str(path)
            return f"sqlite:///{path}"
        assert self.cluster is not None
        self.cluster.execute("CREATE DATABASE bench_template")
        self.templates[database] = "bench_template"
        return self.cluster.url("bench_template")

    def _fresh_database(self, database: str) -> str:
        """A copy of the seeded template for one run; its DATABASE_URL."""
        name = f"run_{next(self._names)}"
        if database == "sqlite":
            path = self.workdir / f"{name}.sqlite3"
            with sqlite3.connect(self.templates[database]) as source, sqlite3.connect(path) as copy:
                source.backup(copy)
            return f"sqlite:///{path}"
        assert self.cluster is not None
        self.cluster.execute(f"CREATE DATABASE {name} TEMPLATE {self.templates[database]}")
        return self.cluster.url(name)

    def _db_env(self, url: str) -> dict[str, str]:
        data_dir = self.workdir / "data"
        data_dir.mkdir(exist_ok=True)
        return {"DATABASE_URL": url, "OPERANT_DATA_DIR": str(data_dir)}

    # --- in-process profiles (--profile N) ---------------------------------------------

    def profiles(self, count: int) -> dict[str, Any]:
        """Each side's requests sent in-process through its WSGI application: the mean
        milliseconds per request on one thread, and the hotspots under cProfile."""
        host = f"127.0.0.1:{self.ours_port}"  # what the callbacks were signed for
        results = {}
        for target in self.options.targets:
            sides = [("floor", peer_env(), self.loads[(self.options.databases[0], target)])]
            if target == "ping" or self.callback_routed:
                sides += [
                    (
                        database,
                        self._db_env(self._fresh_database(database)),
                        self.loads[(database, target)],
                    )
                    for database in self.options.databases
                ]
            for name, env, load in sides:
                stats = self.workdir / f"{name}-{target}.prof"
                command = [sys.executable, str(Path(__file__)), "--db-task", "profile"]
                command += [str(load.timed), str(count), host, str(stats)]
                env = {**env, "OPERANT_BASE_URL": f"http://{host}", "OPERANT_DEBUG": "0"}
                results[f"{name}:{target}"] = run_subprocess(command, env)
        return results

    # --- the sides -----------------------------------------------------------------------

    def sides(self) -> dict[str, Any]:
        sides: dict[str, Any] = {}
        for target in self.options.targets:
            sides[f"floor:{target}"] = self._floor_side(target)
            if target == "ping" or self.callback_routed:
                for database in self.options.databases:
                    sides[f"{database}:{target}"] = self._ours_side(database, target)
        return sides

    def _drive(self, url: str, load: Load) -> dict[str, Any]:
        options = self.options
        common = {"connections": options.connections, "threads": options.wrk_threads}
        warm = run_wrk(url, load.warmup, seconds=options.warmup, **common)
        load_before = os.getloadavg()[0]
        timed = run_wrk(url, load.timed, seconds=options.seconds, **common)
        script = timed["script"]
        return {
            "rate": script["ok"] / timed["seconds"],  # answered 2xx per second: work done
            "p99_ms": timed["p99_ms"],
            "latency_ms": timed["latency_ms"],
            "requests": timed["requests"],
            "ok": script["ok"],
            "other": script["other"],
            "other_statuses": script["other_statuses"],
            "socket_errors": timed["socket_errors"],
            "wraps": script["wraps"],
            "warmup": {"ok": warm["script"]["ok"], "other": warm["script"]["other"]},
            # Sent by wrk but unanswered when its clock stopped: the server may still store them.
            "unanswered": sum(
                run["script"]["sent"] - run["script"]["ok"] - run["script"]["other"]
                for run in (warm, timed)
            ),
            "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        }

    def _server_options(self) -> dict[str, int | None]:
        return {"workers": self.options.workers, "threads": self.options.threads}

    def _floor_side(self, target: str) -> Any:
        load = self.loads[(self.options.databases[0], target)]

        def run(round_index: int) -> dict[str, Any]:
            log = self.workdir / f"floor-{target}-{round_index}.log"
            with web_server(
                env=peer_env(), port=self.floor_port, log=log, **self._server_options()
            ) as server:
                return self._drive(server.url, load)

        return run

    def _ours_side(self, database: str, target: str) -> Any:
        load = self.loads[(database, target)]

        def run(round_index: int) -> dict[str, Any]:
            url = self._fresh_database(database)
            env = {**self._db_env(url), "OPERANT_BASE_URL": f"http://127.0.0.1:{self.ours_port}"}
            log = self.workdir / f"{database}-{target}-{round_index}.log"
            with web_server(
                env=env, port=self.ours_port, log=log, **self._server_options()
            ) as server:
                figures = self._drive(server.url, load)
            # Counted once the server has stopped: its workers finish what they accepted first.
            stored = run_subprocess(
                [sys.executable, str(Path(__file__)), "--db-task", "count"], self._db_env(url)
            )[STORED_KEY[target]]
            figures.update(
                stored_check(figures, stored - self.baselines[database][STORED_KEY[target]])
            )
            return figures

        return run


def stored_check(figures: dict[str, Any], stored: int) -> dict[str, Any]:
    """Every 2xx answer has its row; extra rows only for requests wrk left unanswered."""
    answered = figures["ok"] + figures["warmup"]["ok"]
    lost = max(0, answered - stored)
    extra = max(0, stored - answered)
    problems = []
    if lost:
        problems.append(f"{lost} rows missing for {answered} 2xx answers")
    if extra > figures["unanswered"]:
        problems.append(
            f"{extra} rows beyond the 2xx answers, but only {figures['unanswered']} unanswered"
        )
    return {
        "stored": stored,
        "answered_2xx": answered,
        "lost": lost,
        "extra": extra,
        "stored_problems": problems,
    }


# --- the report ---------------------------------------------------------------------------


def summarise(figures: dict[str, Any]) -> None:
    runs = figures["runs"]
    figures["median"] = {side: median_run(side_runs) for side, side_runs in runs.items()}
    figures["checks"] = {}
    figures["stored_ok"] = True
    for side, side_runs in runs.items():
        database, target = side.split(":")
        if database == "floor":
            continue
        median, floor = figures["median"][side], figures["median"].get(f"floor:{target}")
        problems = [p for run in side_runs for p in run.get("stored_problems", [])]
        if median is None:  # not one 2xx in any run: nothing to rate
            median = figures["median"][side] = {**side_runs[0], "rate": 0.0}
            problems.append(f"no 2xx answer in any run: {side_runs[0]['other_statuses']}")
        figures["stored_ok"] = figures["stored_ok"] and not problems
        figures["checks"][side] = {
            "ratio_to_floor": median["rate"] / floor["rate"] if floor and floor["rate"] else None,
            "rate_met": median["rate"] >= TARGET_RATE,
            "p99_met": median["p99_ms"] < TARGET_P99_MS,
            "nothing_lost": not problems,
            "problems": problems,
        }


def report(figures: dict[str, Any]) -> None:
    o = figures["options"]
    print(
        f"monitoring_ingest: {o['workflows']} workflows of {o['clients']} clients; operant web "
        f"--workers {o['workers']} --threads {o['threads'] or 'default'}; "
        f"wrk {o['wrk_threads']} thread(s), "
        f"{o['connections']} connections, {o['warmup']} s warm-up + {o['seconds']} s; "
        f"{o['rounds']} alternating round(s), the median run of each side shown "
        f"({os.cpu_count()} cpu)"
    )
    if not figures["callback_routed"]:
        print(f"  {CALLBACK_PATH} is not served on this branch: only the floor got callbacks")
    print(
        f"{'':>22}  {'2xx/s':>8}  {'p99 ms':>7}  {'vs floor':>8}  {'stored':>8}  {'lost':>5}"
        "  load (before, after)  rounds (2xx/s)"
    )
    for side, median in figures["median"].items():
        if median is None:
            print(f"{side:>22}  no run answered")
            continue
        check = figures["checks"].get(side, {})
        ratio = check.get("ratio_to_floor")
        each = ", ".join(f"{run['rate']:.0f}" for run in figures["runs"][side])
        print(
            f"{side:>22}  {median['rate']:>8.0f}  {median['p99_ms']:>7.1f}  "
            f"{f'{ratio:.2f}x' if ratio else '-':>8}  {median.get('stored', '-'):>8}  "
            f"{median.get('lost', '-'):>5}  {median['load_average']!s:>20}  {each}"
        )
        unusual = {k: median[k] for k in ("other_statuses", "socket_errors") if median[k]}
        if median["wraps"]:
            unusual["wraps"] = median["wraps"]
        if unusual:
            print(f"{'':>22}  note: {unusual}")
    for side, check in figures["checks"].items():
        verdict = ", ".join(
            f"{name} {'met' if check[key] else 'NOT met'}"
            for name, key in (
                (f">= {TARGET_RATE:.0f}/s", "rate_met"),
                (f"p99 < {TARGET_P99_MS:.0f} ms", "p99_met"),
                ("not one lost (every run)", "nothing_lost"),
            )
        )
        print(f"{side:>22}  {verdict}")
        for problem in check["problems"]:
            print(f"{'':>22}  PROBLEM: {problem}")


# --- entry points -------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    csv = lambda text: [part.strip() for part in text.split(",") if part.strip()]  # noqa: E731
    parser.add_argument("--databases", type=csv, default=list(DATABASES))
    parser.add_argument("--targets", type=csv, default=list(TARGETS))
    parser.add_argument("--seconds", type=int, default=10, help="timed run (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up (default 2)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workflows", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2, help="web server workers (default 2)")
    parser.add_argument(
        "--threads", type=int, help="threads per worker (default: operant web's for the database)"
    )
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument(
        "--pg-port", type=int, default=int(os.environ.get("OPERANT_BENCH_PG_PORT", DEFAULT_PG_PORT))
    )
    parser.add_argument(
        "--profile",
        type=int,
        metavar="N",
        help="instead of the load: N requests of each side in-process, timed and profiled",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    return parser


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = _parser()
    options = parser.parse_args([] if argv is None else argv)
    for name, allowed in (("databases", DATABASES), ("targets", TARGETS)):
        unknown = set(getattr(options, name)) - set(allowed)
        if unknown or not getattr(options, name):
            parser.error(f"--{name}: choose among {', '.join(allowed)}")
    if options.rounds < 1 or options.seconds < 1:
        parser.error("--rounds and --seconds must be at least 1")
    os.environ.setdefault("OPERANT_SECRET_KEY", os.urandom(32).hex())
    ensure_wrk()
    workdir = Path(tempfile.mkdtemp(prefix="operant-monitoring-bench-"))
    try:
        with ExitStack() as stack:
            cluster = None
            if "postgresql" in options.databases:
                cluster = stack.enter_context(pg_cluster(options.pg_port))
            bench = Bench(options, workdir, cluster)
            fleet = make_fleet(
                clients=options.clients, workflows=options.workflows, seed=options.seed
            )
            bench.prepare(fleet)
            if options.profile:
                figures: dict[str, Any] = {"profiles": bench.profiles(options.profile)}
                figures["stored_ok"] = True
                publish(figures, as_json=options.json, report=report_profiles)
                return figures
            runs = alternating_rounds(bench.sides(), options.rounds)
        figures = {"options": vars(options), "callback_routed": bench.callback_routed, "runs": runs}
        summarise(figures)
        publish(figures, as_json=options.json, report=report)
    finally:
        leave(workdir, keep=options.keep)
    return figures


def report_profiles(figures: dict[str, Any]) -> None:
    for side, profile in figures["profiles"].items():
        print(
            f"{side}: {profile['per_request_ms']:.2f} ms per request in-process "
            f"({profile['per_request_cpu_ms']:.2f} ms of CPU) "
            f"(answers {profile['statuses']}); under cProfile:"
        )
        for row in profile["hotspots"]:
            print(
                f"  by {row['by']:<10} cum {row['cum']:>7.3f}  own {row['own']:>7.3f}  "
                f"calls {row['calls']:>7}  {row['where']}"
            )


def _db_task(task: str, args: list[str]) -> dict[str, Any]:
    if task == "profile":
        from _wsgi_profile import profile_requests

        requests_file, count, host, stats_file = args
        return profile_requests(
            Path(requests_file), count=int(count), host=host, stats_file=Path(stats_file)
        )
    import _monitoring_db

    if task == "seed":
        fleet = Fleet.from_dict(json.loads(Path(args[0]).read_text()))
        return _monitoring_db.seed(fleet)
    return _monitoring_db.count()


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--db-task":
        print(json.dumps(_db_task(sys.argv[2], sys.argv[3:])))
        sys.exit(0)
    figures = main(sys.argv[1:])
    sys.exit(0 if figures["stored_ok"] else 1)
