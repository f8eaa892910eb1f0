"""Benchmark: ``operant mail ingest`` against django-helpdesk's importer on real-world mail.

The set (bench/_cpython_mail.py) is mail nobody here wrote: CPython's own email test data
(``test/test_email/data/msg_*.txt``, found through the running interpreter; on Debian's system
Python the ``libpython3.X-testsuite`` package is installed when missing), the files taken in turn
until there are ``--messages`` (default 3000), each copy with a Message-ID of its own. They go,
as ``.eml`` files in one directory, through

- ours: the whole ``operant mail ingest FILE...`` command, start-up included: a new process
  that loads Django and the settings, reads the files, parses them (with its parse workers when
  there is more than one batch: ``OPERANT_PARSE_WORKERS``, cores - 1), routes, threads, stores
  and acknowledges them, prints a line per file and exits. The same command with
  ``OPERANT_PARSE_WORKERS=0`` is timed too, so the report shows the ratio without the second
  core. On a 2-core machine shared with other work the worker competes for the one other core:
  the load average around each run is printed with it;
- the peer: django-helpdesk 2.6.1's importer in its own venv (bench/.venv-peers, made on the
  first run), a local-mailbox queue pointed at a copy of the directory
  (bench/peers/helpdesk_realworld.py). Its ``get_email`` command as shipped stops the whole
  queue at the first message that raises, and the next run stops at the same file, so it is run
  once to count what it loses, and the rate is timed on ``helpdesk_realworld.py drain``: the same
  loop as ``get_email``'s, a new process from start-up to exit too, with a message that raises
  skipped instead of ending the run.

Both sides run on a fresh SQLite database migrated (and, for helpdesk, given its queue) before
the clock starts; the clock is the wall time of the command, from its start to its exit.

Lost, concretely. Ours: a message is lost when no InboundMessage row holds its Message-ID, and
the run fails its checks when rows != messages given, any row failed or any is unsettled
(whatever the outcome, a stored row is the message kept, with its outcome, for a person to see).
Helpdesk: a message is lost when no follow-up carries its Message-ID (helpdesk records every
message it imports as one follow-up, opening a ticket or added to one), so it became neither a
ticket nor a reply; the errors its importer raised, and the files it left in the mailbox, are
reported beside.

The machines are shared and their speed drifts: the sides run in alternating rounds
(``--rounds``, default 3; the order flips every round) and the median run of each is compared.
Targets (issue 9): ours at least 5x helpdesk's rate on this set, with nothing lost. Figures are
reported, never asserted: the exit code is 0 unless something crashed or our checks failed
(2, with one line, when CPython's email test data cannot be found or installed).

Run: ``.venv/bin/python bench/mail_realworld.py [--messages N] [--rounds R] [--skip-peer]
[--json] [--keep]``, or ``bench/run mail_realworld``; or import and call ``main()``, which
returns the figures as a dict.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
PEER_HARNESS = BENCH_DIR / "peers" / "helpdesk_realworld.py"
TARGET_RATIO = 5.0
DEFAULT_ROUNDS = 3

if str(BENCH_DIR) not in sys.path:  # imported as bench.mail_realworld: find its siblings
    sys.path.insert(0, str(BENCH_DIR))

from _cpython_mail import DEFAULT_COUNT, MESSAGE_ID_DOMAIN, MissingData, generate, locate_data  # noqa: E402
from mail_pipeline import (  # noqa: E402
    alternating_rounds,
    leave,
    median_run,
    peer_python,
    publish,
)

# Our Message-ID of a copy, wherever in the stored bytes it is (the check does not depend on how
# the desk keys its rows).
_COPY_ID = re.compile(rb"copy\d+\.msg_\w+@" + re.escape(MESSAGE_ID_DOMAIN.encode()))


def write_set(count: int, workdir: Path) -> dict[str, Any]:
    """The messages as numbered .eml files plus a manifest; a summary of the set."""
    data_dir = locate_data()
    mails = generate(count, data_dir)
    eml = workdir / "eml"
    eml.mkdir(parents=True)
    items = []
    for index, mail in enumerate(mails, 1):
        name = f"{index:05d}.eml"
        (eml / name).write_bytes(mail.raw)
        items.append({"file": name, "source": mail.source, "message_id": mail.message_id})
    (workdir / "manifest.json").write_text(json.dumps({"messages": items}))
    return {
        "messages": len(mails),
        "source_files": len({mail.source for mail in mails}),
        "data_dir": str(data_dir),
        "bytes_total": sum(len(mail.raw) for mail in mails),
    }


def _timed(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, Any, list[float]]:
    """Run ``command`` to its exit; its wall time, its result and the load average around it."""
    load_before = os.getloadavg()[0]
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd)
    seconds = time.perf_counter() - began
    return seconds, done, [round(load_before, 2), round(os.getloadavg()[0], 2)]


def _json_of(command: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run an untimed helper step and read the JSON object it prints last."""
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:3])} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- ours -------------------------------------------------------------------------------------


def operant_command() -> list[str]:
    """The ``operant`` console script of this interpreter's venv, else the same entry point."""
    script = Path(sys.executable).parent / "operant"
    return [str(script)] if script.exists() else [sys.executable, "-m", "operant.cli"]


def _ours_env(rundir: Path, parse_workers: int | None) -> dict[str, str]:
    data_dir = rundir / "ours"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "OPERANT_DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite:///{data_dir / 'bench.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "operant.settings",
        "OPERANT_LOG_LEVEL": "WARNING",
        "OPERANT_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }
    # bench/run exports one; a benchmark signs nothing that outlives it.
    env.setdefault("OPERANT_SECRET_KEY", secrets.token_urlsafe(50))
    if parse_workers is not None:
        env["OPERANT_PARSE_WORKERS"] = str(parse_workers)
    return env


def run_ours(workdir: Path, rundir: Path, parse_workers: int | None) -> dict[str, Any]:
    env = _ours_env(rundir, parse_workers)
    migrated = subprocess.run(
        [*operant_command(), "migrate", "--verbosity", "0"], capture_output=True, text=True, env=env
    )
    if migrated.returncode != 0:
        raise RuntimeError(f"operant migrate failed:\n{migrated.stderr[-3000:]}")
    files = sorted(path.name for path in (workdir / "eml").iterdir())
    command = [*operant_command(), "mail", "ingest", *files]
    seconds, done, load = _timed(command, env, cwd=workdir / "eml")
    figures: dict[str, Any] = {
        "name": "operant",
        "command": "operant mail ingest FILE...",
        "messages": len(files),
        "seconds": seconds,
        "rate": len(files) / seconds if seconds else None,
        "load_average": load,
        "exit_code": done.returncode,
        "output_lines": len(done.stdout.splitlines()),
    }
    check = [sys.executable, str(Path(__file__).resolve()), "--check-ours", str(workdir)]
    figures.update(_json_of(check, env))
    if done.returncode != 0:
        figures["checks_ok"] = False
        figures["check_problems"].append(
            f"exit code {done.returncode}: {done.stderr.strip().splitlines()[-1:]}"
        )
    if figures["output_lines"] != len(files):
        figures["checks_ok"] = False
        figures["check_problems"].append(f"{figures['output_lines']} output lines")
    return figures


def check_ours(workdir: Path) -> dict[str, Any]:
    """What the run stored (run in the environment of the run: its database)."""
    import django

    django.setup()
    from operant.desk.models import Attachment, Message, MessageKind, Ticket
    from operant.mail.models import InboundMessage, InboundState
    from operant.mail.parsepool import default_workers
    from operant.notify.models import Notification

    items = json.loads((workdir / "manifest.json").read_text())["messages"]
    rows = 0
    stored_ids: set[str] = set()
    for raw in InboundMessage.objects.values_list("raw", flat=True).iterator():
        rows += 1
        found = _COPY_ID.search(bytes(raw))
        if found:
            stored_ids.add(found.group().decode())
    states = Counter(InboundMessage.objects.values_list("state", flat=True))
    outcomes = Counter(
        re.sub(r"OPR-\d+", "OPR-n", outcome)
        for outcome in InboundMessage.objects.values_list("outcome", flat=True)
    )
    lost = Counter(item["source"] for item in items if item["message_id"] not in stored_ids)
    problems = []
    if lost:
        problems.append(f"{sum(lost.values())} messages lost (no row holds their Message-ID)")
    if rows != len(items):
        problems.append(f"{rows} InboundMessage rows for {len(items)} messages")
    if states.get(InboundState.FAILED):
        problems.append(f"{states[InboundState.FAILED]} messages failed")
    unsettled = sum(n for state, n in states.items() if state not in ("processed", "ignored"))
    if unsettled:
        problems.append(f"{unsettled} rows not settled: {dict(states)}")
    return {
        "parse_workers": default_workers(),
        "checks_ok": not problems,
        "check_problems": problems,
        "inbound_rows": rows,
        "lost": sum(lost.values()),
        "lost_by_source": dict(sorted(lost.items())),
        "inbound_states": dict(states),
        "flagged": InboundMessage.objects.filter(flagged=True).count(),
        "tickets": Ticket.objects.count(),
        "inbound_messages": Message.objects.filter(kind=MessageKind.INBOUND).count(),
        "attachments": Attachment.objects.count(),
        "acknowledgements_queued": Notification.objects.filter(kind="desk.acknowledgement").count(),
        "outcomes": dict(outcomes.most_common()),
    }


# --- the peer ---------------------------------------------------------------------------------


def _peer_env(rundir: Path) -> dict[str, str]:
    (rundir / "peer").mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        # The peer venv sees its harness and settings, never Operant's sources.
        "PYTHONPATH": str(PEER_HARNESS.parent),
        "DJANGO_SETTINGS_MODULE": "helpdesk_settings",
        "HELPDESK_BENCH_DIR": str(rundir / "peer"),
    }


def _prepared_peer(workdir: Path, rundir: Path) -> tuple[str, dict[str, str], Path]:
    """The peer's python, environment and mailbox: a migrated database with its queue."""
    python = str(peer_python())
    env = _peer_env(rundir)
    inbox = rundir / "inbox"
    shutil.copytree(workdir / "eml", inbox)  # the importer deletes what it imports
    _json_of([python, str(PEER_HARNESS), "setup", str(inbox)], env)
    return python, env, inbox


def _peer_count(python: str, env: dict[str, str], workdir: Path, inbox: Path) -> dict[str, Any]:
    return _json_of(
        [python, str(PEER_HARNESS), "count", str(workdir / "manifest.json"), str(inbox)], env
    )


def _timed_peer(command: list[str], env: dict[str, str]) -> tuple[float, Any, list[float]]:
    """``_timed`` for a peer command, which must succeed (its stderr tail if not)."""
    seconds, done, load = _timed(command, env, ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"helpdesk {command[1:3]} failed:\n{done.stderr[-3000:]}")
    return seconds, done, load


def run_peer_drain(workdir: Path, rundir: Path) -> dict[str, Any]:
    """The importer's loop over the whole set, a raising message skipped: the rate."""
    python, env, inbox = _prepared_peer(workdir, rundir)
    messages = sum(1 for _ in inbox.iterdir())
    seconds, done, load = _timed_peer([python, str(PEER_HARNESS), "drain", str(inbox)], env)
    figures = {
        "command": "helpdesk_realworld.py drain (get_email's loop, errors skipped)",
        "messages": messages,
        "seconds": seconds,
        "rate": messages / seconds if seconds else None,
        "load_average": load,
        **json.loads(done.stdout.strip().splitlines()[-1]),
    }
    figures.update(_peer_count(python, env, workdir, inbox))
    return figures


def _stopped_at(stdout: str) -> str | None:
    """The exception that ended ``get_email``'s queue run, from its ``--debug_to_stdout``."""
    lines = stdout.splitlines()
    if not any(line.startswith("Queue processing failed") for line in lines):
        return None
    errors = [line for line in lines if re.match(r"^[A-Za-z_.]+(Error|Exception)\b", line)]
    return errors[-1][:160] if errors else "an exception"


def run_peer_get_email(workdir: Path, rundir: Path) -> dict[str, Any]:
    """``get_email`` as shipped, run twice as cron would: what it loses."""
    python, env, inbox = _prepared_peer(workdir, rundir)
    command = [python, "-m", "django", "get_email", "--debug_to_stdout"]
    seconds, done, load = _timed_peer(command, env)
    figures = {
        "command": "python -m django get_email",
        "seconds": seconds,
        "load_average": load,
        "stopped_at": _stopped_at(done.stdout),
    }
    figures.update(_peer_count(python, env, workdir, inbox))
    # The next cron run: does it get past the message that stopped this one?
    again = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    figures["lost_after_second_run"] = _peer_count(python, env, workdir, inbox)["lost"]
    figures["second_run_stopped_at"] = _stopped_at(again.stdout)
    return figures


# --- the rounds and the report ----------------------------------------------------------------


def _sides(options: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    def fresh(name: str, round_index: int) -> Path:
        rundir = workdir / f"{name}-{round_index}"
        rundir.mkdir()
        return rundir

    def ours(name: str, parse_workers: int | None) -> Any:
        def run(round_index: int) -> dict[str, Any]:
            rundir = fresh(name, round_index)
            try:
                return run_ours(workdir, rundir, parse_workers)
            finally:
                shutil.rmtree(rundir, ignore_errors=True)

        return run

    def peer(name: str, run_peer: Any) -> Any:
        def run(round_index: int) -> dict[str, Any]:
            rundir = fresh(name, round_index)
            try:
                return run_peer(workdir, rundir)
            except (OSError, RuntimeError, subprocess.CalledProcessError) as exc:
                return {"unavailable": str(exc)}
            finally:
                shutil.rmtree(rundir, ignore_errors=True)

        return run

    sides = {"ours": ours("ours", None), "ours_one_process": ours("ours-one", 0)}
    if not options.skip_peer:
        sides["peer"] = peer("peer", run_peer_drain)
        sides["peer_get_email"] = peer("peer-get-email", run_peer_get_email)
    return sides


def summarise(figures: dict[str, Any]) -> None:
    runs = figures["runs"]
    figures["ours"] = median_run(runs["ours"])
    figures["ours_one_process"] = median_run(runs["ours_one_process"])
    figures["checks_ok"] = all(
        run["checks_ok"] for name in ("ours", "ours_one_process") for run in runs[name]
    )
    peer_runs = runs.get("peer", [])
    figures["peer"] = median_run(peer_runs) or (peer_runs[0] if peer_runs else None)
    figures["ratio"] = figures["ratio_one_process"] = figures["ratio_target_met"] = None
    if figures["peer"] and figures["peer"].get("rate"):
        figures["ratio"] = figures["ours"]["rate"] / figures["peer"]["rate"]
        figures["ratio_one_process"] = figures["ours_one_process"]["rate"] / figures["peer"]["rate"]
        figures["ratio_target_met"] = figures["ratio"] >= TARGET_RATIO


def _row(label: str, median: dict[str, Any], runs: list[dict[str, Any]]) -> str:
    each = ", ".join(f"{run['rate']:.1f}" for run in runs if run.get("rate"))
    before, after = median["load_average"]
    load = f"{before}, {after} ({os.cpu_count()} cpu)"
    return (
        f"{label:>34}  {median['messages']:>8}  {median['seconds']:>8.2f}  "
        f"{median['rate']:>8.1f}  {load:>22}  {each}"
    )


def report(figures: dict[str, Any]) -> None:
    summary, ours, peer, runs = figures["set"], figures["ours"], figures["peer"], figures["runs"]
    print(
        f"mail_realworld: {summary['messages']} messages, copies of CPython's "
        f"{summary['source_files']} email test files ({summary['data_dir']}), "
        f"{summary['bytes_total'] / 1e6:.1f} MB, each copy with its own Message-ID"
    )
    print(
        "  each run: the whole command from start-up to exit, fresh SQLite migrated before the "
        f"clock; {figures['rounds']} alternating round(s), the median run of each side shown"
    )
    header = (
        f"{'':>34}  {'messages':>8}  {'seconds':>8}  {'msg/s':>8}  {'load (before, after)':>22}"
    )
    print(header + "  rounds (msg/s)")
    workers = ours["parse_workers"]
    print(_row(f"operant mail ingest ({workers} parse proc)", ours, runs["ours"]))
    print(
        _row(
            "operant mail ingest (one process)",
            figures["ours_one_process"],
            runs["ours_one_process"],
        )
    )
    if peer is None:
        print(f"{'django-helpdesk':>34}  skipped (--skip-peer)")
    elif "unavailable" in peer:
        print(f"{'django-helpdesk':>34}  unavailable: {peer['unavailable'].splitlines()[0]}")
    else:
        print(_row(f"helpdesk {peer['version']} (errors skipped)", peer, runs["peer"]))
    problems = [
        p
        for name in ("ours", "ours_one_process")
        for run in runs[name]
        for p in run["check_problems"]
    ]
    checks = "ok, every run" if figures["checks_ok"] else "FAILED: " + "; ".join(problems)
    print(f"checks (ours): {checks}")
    print(
        f"  ours: {ours['inbound_rows']} rows stored for {ours['messages']} messages, "
        f"{ours['lost']} lost, states {ours['inbound_states']}, {ours['flagged']} flagged; "
        f"{ours['tickets']} tickets, {ours['inbound_messages']} inbound messages, "
        f"{ours['attachments']} attachments, {ours['acknowledgements_queued']} acknowledgements"
    )
    print(f"  outcomes: {ours['outcomes']}")
    if peer and "unavailable" not in peer:
        print(
            f"  helpdesk (errors skipped): lost {peer['lost']} of {peer['messages']} (no "
            f"follow-up carries their Message-ID), {peer['errors']} raised, {peer['ignored']} "
            f"ignored, {peer['left_in_inbox']} left in its mailbox; {peer['tickets']} tickets, "
            f"{peer['followups']} follow-ups, {peer['attachments']} attachments"
        )
        print(f"    errors: {peer['error_kinds']}")
        print(f"    lost by source file: {peer['lost_by_source']}")
    for run in runs.get("peer_get_email", []):
        if "unavailable" in run:
            print(f"  helpdesk get_email as shipped: unavailable: {run['unavailable'][:200]}")
            continue
        print(
            f"  helpdesk get_email as shipped: lost {run['lost']} in {run['seconds']:.2f} s "
            f"({run['followups']} follow-ups), stopped at {run['stopped_at']!r}; "
            f"a second run: {run['lost_after_second_run']} still lost"
        )
    if figures["ratio"] is not None:
        met = figures["ratio_target_met"] and figures["checks_ok"]
        print(
            f"ratio ours/helpdesk: {figures['ratio']:.1f}x (target >= {TARGET_RATIO:.0f}x with "
            f"nothing lost: {'met' if met else 'NOT met'}); "
            f"in one process (no parse worker): {figures['ratio_one_process']:.1f}x"
        )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=DEFAULT_COUNT, help="default 3000")
    parser.add_argument("--skip-peer", action="store_true", help="time ours only")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--rounds",
        type=int,
        default=DEFAULT_ROUNDS,
        help=f"alternating rounds of every side; medians are compared (default {DEFAULT_ROUNDS})",
    )
    options = parser.parse_args([] if argv is None else argv)
    if options.rounds < 1 or options.messages < 1:
        parser.error("--rounds and --messages must be at least 1")

    workdir = Path(tempfile.mkdtemp(prefix="operant-realworld-"))
    try:
        summary = write_set(options.messages, workdir)
        sides = _sides(options, workdir)
        runs = alternating_rounds(sides, options.rounds)
        figures: dict[str, Any] = {"set": summary, "rounds": options.rounds, "runs": runs}
        summarise(figures)
        publish(figures, as_json=options.json, report=report)
    finally:
        leave(workdir, keep=options.keep)
    return figures


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--check-ours":
        print(json.dumps(check_ours(Path(sys.argv[2])), default=str))
        sys.exit(0)
    try:
        figures = main(sys.argv[1:])
    except MissingData as exc:
        print(f"mail_realworld: {exc}", file=sys.stderr)
        sys.exit(2)
    sys.exit(0 if figures["checks_ok"] else 1)
