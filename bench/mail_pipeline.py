"""Benchmark: the inbound mail pipeline against django-helpdesk's email import.

The same few thousand varied messages (bench/_mailset.py: plain, HTML, multipart with
attachments, Latin-1, RFC 2047, quoted replies threaded by In-Reply-To or ``[OPR-n]``,
auto-replies, unknown senders, redeliveries) go through

- ours: ``operant.mail.intake.ingest_batches`` over batches of 100 (what ``operant imap`` runs
  per fetched batch), the whole pipeline: store the raw messages, parse, route and thread,
  classify, compute the response clocks, store the messages and attachments, queue the
  acknowledgements. By default the next batch is parsed in a worker process while this one is
  written (``OPERANT_PARSE_WORKERS``, cores - 1); the same pipeline in one process is timed too,
  so the report shows the ratio with and without the second core;
- the peer: django-helpdesk 2.6.1's own per-message import function
  ``helpdesk.email.extract_email_metadata``, fed the way its IMAP and local-mailbox importers
  feed it (bench/peers/helpdesk_import.py), in its own venv (bench/.venv-peers, created on the
  first run). It runs in one process, as helpdesk's importer does.

Every run is a fresh process on a fresh SQLite database in a temporary directory, with its own
parsing and database writes inside the timed loop; the files are read, and each side's start-up
(our policy, calendar and templates, its template engine; our parse worker) done, before the
clock starts, as a long-running intake process has them before mail arrives. The machines are
shared and their speed drifts by a fifth within minutes, so the sides run in alternating rounds
(``--rounds``, default 3; the order flips every round) and the median run of each is compared.
After every run of ours the database is checked (every message stored, none failed, every row
settled, tickets and threads as the set implies), so the rate is of work done.

Targets (the issue): ours at least 10x helpdesk's rate, and at least 200 messages per second.
The figures are reported, never asserted: the exit code is 0 unless something crashed or our
correctness checks failed.

Run: ``.venv/bin/python bench/mail_pipeline.py [--messages N] [--seed S] [--rounds R]
[--skip-peer] [--json] [--profile] [--keep] [--per-message] [--parse-workers N]``, or
``bench/run mail_pipeline``; or import and call ``main()``, which returns the figures as a dict.
``--per-message`` times the one-at-a-time ``mail_ingest`` instead; ``--profile`` runs ours
under cProfile in the first round and prints the hotspots.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
PEER_VENV = BENCH_DIR / ".venv-peers"
PEER_REQUIREMENTS = ("django-helpdesk==2.6.1", "Django==5.2.19")
PEER_HARNESS = BENCH_DIR / "peers" / "helpdesk_import.py"
TARGET_RATIO = 10.0
TARGET_RATE = 200.0
DEFAULT_ROUNDS = 3

if str(BENCH_DIR) not in sys.path:  # imported as bench.mail_pipeline: find bench/_mailset.py
    sys.path.insert(0, str(BENCH_DIR))

from _mailset import DEFAULT_COUNT, DEFAULT_SEED, MailSet, generate  # noqa: E402

# --- the message set on disk ------------------------------------------------------------------


def write_set(mailset: MailSet, workdir: Path) -> None:
    """The messages as numbered .eml files plus a manifest both harnesses read."""
    eml = workdir / "eml"
    eml.mkdir(parents=True)
    items = []
    for index, mail in enumerate(mailset.mails, 1):
        name = f"{index:05d}.eml"
        (eml / name).write_bytes(mail.raw)
        items.append(
            {
                "file": name,
                "received_at": mail.received_at.isoformat(),
                "kind": mail.kind,
                "message_id": mail.message_id.strip("<>"),
            }
        )
    manifest = {
        "seed": mailset.seed,
        "clients": [
            {"name": c.name, "package_key": c.package_key, "emails": list(c.emails)}
            for c in mailset.clients
        ],
        "messages": items,
    }
    (workdir / "manifest.json").write_text(json.dumps(manifest))


# --- ours (runs in its own process: ``mail_pipeline.py --run-ours WORKDIR``) -------------------


def run_ours(
    workdir: Path,
    profile: bool = False,
    per_message: bool = False,
    parse_workers: int | None = None,
) -> dict[str, Any]:
    """Set up Django on a fresh SQLite database, create the clients, time the pipeline."""
    data_dir = workdir / "ours"
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["OPERANT_DATA_DIR"] = str(data_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{data_dir / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "operant.settings"
    os.environ["OPERANT_LOG_LEVEL"] = "WARNING"  # the peer logs nothing either
    os.environ["OPERANT_EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"

    import django

    django.setup()

    from django.core.management import call_command

    from operant.accounts.services import client_create
    from operant.mail.intake import BATCH_SIZE, ingest_batches
    from operant.mail.parsepool import ParsePool
    from operant.mail.services import mail_ingest

    call_command("migrate", verbosity=0)
    manifest = json.loads((workdir / "manifest.json").read_text())
    for spec in manifest["clients"]:
        client_create(name=spec["name"], package_key=spec["package_key"], emails=spec["emails"])
    items = manifest["messages"]
    raws = [(workdir / "eml" / item["file"]).read_bytes() for item in items]
    arrivals = [datetime.fromisoformat(item["received_at"]) for item in items]

    # As ``operant smtpd`` and ``operant imap`` do at start: the policy, the holidays package
    # and the acknowledgement template load before the first mail, not during it.
    from operant.mail.warmup import pipeline_warm_up

    pipeline_warm_up(now=arrivals[0])

    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    outcomes = []
    pool = ParsePool(workers=0 if per_message else parse_workers)
    with pool:
        pool.warm()  # as a long-running intake process has its workers before mail arrives
        began = time.perf_counter()
        if per_message:
            for raw, now in zip(raws, arrivals, strict=True):
                outcomes.append(mail_ingest(raw=raw, channel="file", now=now))
        else:
            # A batch is handled at the arrival time of its last message (all of it has arrived).
            batches = (
                (raws[start : start + BATCH_SIZE], arrivals[start : start + BATCH_SIZE][-1])
                for start in range(0, len(raws), BATCH_SIZE)
            )
            for _, batch_outcomes in ingest_batches(batches, channel="file", pool=pool):
                outcomes.extend(batch_outcomes)
    seconds = time.perf_counter() - began
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(str(workdir / "ours.prof"))

    figures: dict[str, Any] = {
        "name": "operant",
        "function": "operant.mail.services.mail_ingest"
        if per_message
        else f"operant.mail.intake.ingest_batches (batches of {BATCH_SIZE})",
        "parse_workers": pool.workers,
        "messages": len(raws),
        "seconds": seconds,
        "rate": len(raws) / seconds if seconds else None,
    }
    figures.update(check_ours(manifest, outcomes))
    return figures


def check_ours(manifest: dict[str, Any], outcomes: list[Any]) -> dict[str, Any]:
    """What the run stored, and whether it is what the message set implies."""
    from operant.desk.models import Attachment, Message, MessageKind, Ticket
    from operant.mail.models import InboundMessage, InboundState
    from operant.notify.models import Notification

    items = manifest["messages"]
    ids = {item["message_id"] for item in items}
    stored = set(InboundMessage.objects.values_list("message_id", flat=True))
    states = Counter(InboundMessage.objects.values_list("state", flat=True))
    thread_starts = sum(item["kind"] == "new" for item in items)
    # Ticket and row numbers vary per run; the kinds of outcome are what the report counts.
    details = Counter(re.sub(r"(OPR-|#)\d+", r"\1n", o.detail) for o in outcomes)
    problems = []
    if ids - stored:
        problems.append(f"{len(ids - stored)} messages have no InboundMessage row")
    if len(stored) != len(ids):
        problems.append(f"{len(stored)} InboundMessage rows for {len(ids)} distinct messages")
    failed = [o for o in outcomes if o.state == InboundState.FAILED]
    if failed:
        problems.append(f"{len(failed)} messages failed, e.g. {failed[0].detail!r}")
    unsettled = sum(n for s, n in states.items() if s not in ("processed", "ignored"))
    if unsettled:
        problems.append(f"{unsettled} InboundMessage rows not settled: {dict(states)}")
    tickets = Ticket.objects.count()
    inbound_messages = Message.objects.filter(kind=MessageKind.INBOUND).count()
    return {
        "checks_ok": not problems,
        "check_problems": problems,
        "inbound_rows": len(stored),
        "inbound_states": dict(states),
        "flagged": InboundMessage.objects.filter(flagged=True).count(),
        "tickets": tickets,
        "thread_starts_in_set": thread_starts,
        "tickets_by_class": dict(Counter(Ticket.objects.values_list("request_class", flat=True))),
        "inbound_messages": inbound_messages,
        "attachments": Attachment.objects.count(),
        "acknowledgements_queued": Notification.objects.filter(kind="desk.acknowledgement").count(),
        "outcomes": dict(details.most_common()),
    }


# --- the peer ---------------------------------------------------------------------------------


def peer_python() -> Path:
    """The peer venv's python, creating the venv and installing the peer when needed."""
    python = PEER_VENV / "bin" / "python"
    stamp = PEER_VENV / ".operant-peers"
    wanted = "\n".join(PEER_REQUIREMENTS)
    if not python.exists():
        base = shutil.which("python3.11") or shutil.which("python3") or sys.executable
        print(f"creating {PEER_VENV} for the peer (first run)", file=sys.stderr)
        subprocess.run([base, "-m", "venv", str(PEER_VENV)], check=True)
    if not stamp.exists() or stamp.read_text() != wanted:
        print(f"installing {', '.join(PEER_REQUIREMENTS)} into {PEER_VENV}", file=sys.stderr)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", *PEER_REQUIREMENTS],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        stamp.write_text(wanted)
    return python


def run_subprocess(command: list[str], env_extra: dict[str, str] | None = None) -> dict[str, Any]:
    """Run one harness and read the JSON object it prints last."""
    env = {**os.environ, **(env_extra or {})}
    load_before = os.getloadavg()[0]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command[:2])} failed ({done.returncode}):\n{done.stderr[-3000:]}"
        )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    # The machines are shared: the 1-minute load average around each side says how busy.
    result["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    return result


def run_peer(workdir: Path) -> dict[str, Any]:
    python = peer_python()
    env = {"PYTHONPATH": str(PEER_HARNESS.parent), "DJANGO_SETTINGS_MODULE": "helpdesk_settings"}
    return run_subprocess([str(python), str(PEER_HARNESS), str(workdir)], env)


# --- the report -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=DEFAULT_COUNT, help="default 3000")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--skip-peer", action="store_true", help="time ours only")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--profile", action="store_true", help="cProfile ours; print hotspots")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--per-message", action="store_true", help="ours one message at a time (mail_ingest)"
    )
    parser.add_argument(
        "--parse-workers",
        type=int,
        help="parse worker processes for ours (default: OPERANT_PARSE_WORKERS, else cores - 1)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=DEFAULT_ROUNDS,
        help=f"alternating rounds of every side; medians are compared (default {DEFAULT_ROUNDS})",
    )
    options = parser.parse_args([] if argv is None else argv)
    if options.rounds < 1:
        parser.error("--rounds must be at least 1")

    workdir = Path(tempfile.mkdtemp(prefix="operant-mailbench-"))
    try:
        mailset = generate(options.messages, options.seed)
        write_set(mailset, workdir)
        sides = _sides(options, workdir)
        runs = alternating_rounds(sides, options.rounds)
        figures: dict[str, Any] = {
            "set": mailset.summary(),
            "seed": options.seed,
            "rounds": options.rounds,
            "runs": runs,
        }
        if options.profile:
            figures["hotspots"] = hotspots(workdir / "ours.prof")
        summarise(figures)
        publish(figures, as_json=options.json, report=report)
    finally:
        leave(workdir, keep=options.keep)
    return figures


def alternating_rounds(sides: dict[str, Any], rounds: int) -> dict[str, list[dict[str, Any]]]:
    """Each side's runs, ``rounds`` of each. The order flips every round: a machine that gets
    busier (or quieter) during the run then favours neither side."""
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in sides}
    for round_index in range(rounds):
        order = list(sides) if round_index % 2 == 0 else list(reversed(sides))
        for name in order:
            runs[name].append(sides[name](round_index))
    return runs


def publish(figures: dict[str, Any], *, as_json: bool, report: Any) -> None:
    """The figures as JSON, or as the benchmark's ``report`` prints them."""
    if as_json:
        print(json.dumps(figures, indent=2, default=str))
    else:
        report(figures)


def leave(workdir: Path, *, keep: bool) -> None:
    """Remove the benchmark's temporary directory, or say where it was kept."""
    if keep:
        print(f"kept {workdir}", file=sys.stderr)
    else:
        shutil.rmtree(workdir, ignore_errors=True)


def _sides(options: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Each side as a function of the round: a fresh process on a fresh database each time."""
    base = [sys.executable, str(Path(__file__).resolve()), "--run-ours"]

    def ours(*extra: str, profiled: bool = False) -> Any:
        def run(round_index: int) -> dict[str, Any]:
            rundir = _run_dir(workdir, f"ours-{round_index}-{'-'.join(extra) or 'default'}")
            flags = ["--profile"] if profiled and options.profile and round_index == 0 else []
            result = run_subprocess([*base, str(rundir), *flags, *extra])
            if flags:
                shutil.copy(rundir / "ours.prof", workdir / "ours.prof")
            shutil.rmtree(rundir / "ours", ignore_errors=True)
            return result

        return run

    sides: dict[str, Any] = {}
    if options.per_message:
        sides["ours"] = ours("--per-message", profiled=True)
    elif options.parse_workers is not None:
        sides["ours"] = ours("--parse-workers", str(options.parse_workers), profiled=True)
    else:
        sides["ours"] = ours(profiled=True)
        # The same pipeline in one process: what the ratio is without the second core.
        sides["ours_one_process"] = ours("--parse-workers", "0")
    if not options.skip_peer:

        def peer(round_index: int) -> dict[str, Any]:
            rundir = _run_dir(workdir, f"peer-{round_index}")
            try:
                return run_peer(rundir)
            except (OSError, RuntimeError, subprocess.CalledProcessError) as exc:
                return {"unavailable": str(exc)}
            finally:
                shutil.rmtree(rundir / "peer", ignore_errors=True)

        sides["peer"] = peer
    return sides


def _run_dir(workdir: Path, name: str) -> Path:
    """A directory of its own for one run, sharing the message set (read-only) by links."""
    rundir = workdir / name
    rundir.mkdir()
    for shared in ("eml", "manifest.json"):
        (rundir / shared).symlink_to(workdir / shared)
    return rundir


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The run with the median rate (the lower middle one for an even count)."""
    rated = sorted((run for run in runs if run.get("rate")), key=lambda run: run["rate"])
    return rated[(len(rated) - 1) // 2] if rated else None


def summarise(figures: dict[str, Any]) -> None:
    runs = figures["runs"]
    figures["ours"] = median_run(runs["ours"])
    figures["ours_one_process"] = median_run(runs.get("ours_one_process", []))
    peer_runs = runs.get("peer")
    figures["peer"] = median_run(peer_runs) if peer_runs else None
    if peer_runs and figures["peer"] is None:
        figures["peer"] = peer_runs[0]  # unavailable: say why
    ours, peer = figures["ours"], figures["peer"]
    figures["checks_ok"] = all(
        run["checks_ok"] for name in runs if name != "peer" for run in runs[name]
    )
    figures["rate_target_met"] = ours["rate"] >= TARGET_RATE
    figures["ratio"] = figures["ratio_target_met"] = figures["ratio_one_process"] = None
    if peer and peer.get("rate"):
        figures["ratio"] = ours["rate"] / peer["rate"]
        figures["ratio_target_met"] = figures["ratio"] >= TARGET_RATIO
        if figures["ours_one_process"]:
            figures["ratio_one_process"] = figures["ours_one_process"]["rate"] / peer["rate"]


def hotspots(path: Path, limit: int = 25) -> list[dict[str, Any]]:
    """The functions with the most cumulative and own time in our timed loop."""
    import pstats

    stats = pstats.Stats(str(path))
    rows = []
    for (filename, line, name), (_, calls, own, cumulative, _) in stats.stats.items():
        short = filename.replace(str(ROOT) + "/", "")
        if "site-packages/" in short:
            short = short.split("site-packages/", 1)[1]
        rows.append(
            {"where": f"{short}:{line}:{name}", "calls": calls, "own": own, "cum": cumulative}
        )
    by_cum = sorted(rows, key=lambda r: r["cum"], reverse=True)[:limit]
    by_own = sorted(rows, key=lambda r: r["own"], reverse=True)[:limit]
    return [{"by": "cumulative", **r} for r in by_cum] + [{"by": "own", **r} for r in by_own]


def _row(label: str, median: dict[str, Any], runs: list[dict[str, Any]]) -> str:
    each = ", ".join(f"{run['rate']:.1f}" for run in runs if run.get("rate"))
    return (
        f"{label:>26}  {median['messages']:>8}  {median['seconds']:>8.2f}  "
        f"{median['rate']:>8.1f}  {_load(median):>22}  {each}"
    )


def _load(side: dict[str, Any]) -> str:
    before, after = side.get("load_average", (None, None))
    return f"{before}, {after} ({os.cpu_count()} cpu)"


def report(figures: dict[str, Any]) -> None:
    summary, ours, peer = figures["set"], figures["ours"], figures["peer"]
    kinds = ", ".join(f"{k} {v}" for k, v in summary["kinds"].items())
    formats = ", ".join(f"{k} {v}" for k, v in summary["formats"].items())
    print(
        f"mail_pipeline: {summary['messages']} messages (seed {figures['seed']}), "
        f"{summary['bytes_total'] / 1e6:.1f} MB, {summary['clients']} clients / "
        f"{summary['contacts']} contacts"
    )
    print(f"  kinds: {kinds}")
    print(
        f"  formats: {formats}; Latin-1 {summary['latin1']}, RFC 2047 headers "
        f"{summary['rfc2047_headers']}, unknown senders {summary['unknown_sender']}"
    )
    print(
        "  each run: fresh process, fresh SQLite, parsing and database writes in the loop; "
        f"{figures['rounds']} alternating round(s), the median run of each side shown"
    )
    if figures.get("hotspots"):
        print("  ours ran under cProfile (--profile) in round 1: its rate there is slower")
    header = (
        f"{'':>26}  {'messages':>8}  {'seconds':>8}  {'msg/s':>8}  {'load (before, after)':>22}"
    )
    print(header + "  rounds (msg/s)")
    runs = figures["runs"]
    workers = ours.get("parse_workers", 0)
    rows = [("ours", f"operant ({workers} parse proc)" if workers else "operant (one process)")]
    if figures.get("ours_one_process"):
        rows.append(("ours_one_process", "operant (one process)"))
    for key, label in rows:
        print(_row(label, figures[key], runs[key]))
    if peer is None:
        print(f"{'django-helpdesk':>26}  skipped (--skip-peer)")
    elif "unavailable" in peer:
        print(f"{'django-helpdesk':>26}  unavailable: {peer['unavailable'].splitlines()[0]}")
    else:
        print(_row(f"django-helpdesk {peer['version']}", peer, runs["peer"]))
    problems = [
        p for name in runs if name != "peer" for run in runs[name] for p in run["check_problems"]
    ]
    checks = "ok, every run" if figures["checks_ok"] else "FAILED: " + "; ".join(problems)
    print(f"checks (ours): {checks}")
    print(
        f"  stored {ours['inbound_rows']} inbound rows {ours['inbound_states']}, "
        f"{ours['flagged']} flagged; {ours['tickets']} tickets for {ours['thread_starts_in_set']} "
        f"thread starts; {ours['inbound_messages']} inbound messages, {ours['attachments']} "
        f"attachments, {ours['acknowledgements_queued']} acknowledgements queued"
    )
    print(f"  tickets by class: {ours['tickets_by_class']}")
    print(f"  outcomes: {ours['outcomes']}")
    if peer and "unavailable" not in peer:
        print(
            f"  helpdesk: {peer['tickets']} tickets, {peer['followups']} follow-ups, "
            f"{peer['attachments']} attachments, {peer['ignored']} ignored, "
            f"{peer['errors']} errors {peer['error_samples'] or ''}"
        )
    if figures["ratio"] is not None:
        print(
            f"ratio ours/helpdesk: {figures['ratio']:.1f}x (target >= {TARGET_RATIO:.0f}x: "
            f"{'met' if figures['ratio_target_met'] else 'NOT met'})"
        )
        if figures["ratio_one_process"] is not None:
            print(f"  in one process (no parse worker): {figures['ratio_one_process']:.1f}x")
    print(
        f"rate: {ours['rate']:.1f} msg/s (target >= {TARGET_RATE:.0f}: "
        f"{'met' if figures['rate_target_met'] else 'NOT met'})"
    )
    if figures.get("hotspots"):
        print("hotspots of ours (seconds, under cProfile):")
        for row in figures["hotspots"]:
            print(
                f"  by {row['by']:<10} cum {row['cum']:>7.2f}  own {row['own']:>7.2f}  "
                f"calls {row['calls']:>7}  {row['where']}"
            )


def _parse_workers_arg(args: list[str]) -> int | None:
    return int(args[args.index("--parse-workers") + 1]) if "--parse-workers" in args else None


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--run-ours":
        result = run_ours(
            Path(sys.argv[2]),
            profile="--profile" in sys.argv[3:],
            per_message="--per-message" in sys.argv[3:],
            parse_workers=_parse_workers_arg(sys.argv[3:]),
        )
        print(json.dumps(result, default=str))
        sys.exit(0)
    figures = main(sys.argv[1:])
    sys.exit(0 if figures["checks_ok"] else 1)
