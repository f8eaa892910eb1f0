"""Benchmark: the parse step of the mail pipeline against the floor of the stdlib alone.

The same few thousand varied messages (bench/_mailset.py) are timed through

- ours: ``operant.mail.parse.parse_message(raw)``, everything the pipeline learns from a
  message (headers, bodies, attachments, HTML sanitizing, quotes, bounces, auto-replies);
- the floor: ``email.message_from_bytes(raw, policy=compat32)`` and a walk over the parts
  reading each one's content type: the least a stdlib-based parser does before it has
  learnt anything.

Both sides run in this one process, interleaved in chunks of messages (ours, then the floor,
on the same chunk; the order flips every chunk), because the machines are shared and their
load drifts during a run. The regex cache is emptied before each side's turn: the stdlib
compiles a regex per multipart boundary (a good part of the floor), and the side that came
second would otherwise find the other's. Each round starts with the parser's caches
cleared, so every round is a cold start, as in a fresh worker process; the report shows the
median round.

Times are CPU time of this process (``time.process_time``), which a busy machine disturbs
less than wall time; wall time is shown too. The figures are printed, never asserted.

Target: at most 1.2 ms per typical message, for 200 messages per second through
the whole pipeline with room for the rest of it.

Run: ``.venv/bin/python bench/mail_parse.py [--messages N] [--seed S] [--rounds R] [--json]``,
or ``bench/run mail_parse``; or import and call ``main()``, which returns the figures.
"""

from __future__ import annotations

import argparse
import email
import gc
import json
import os
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from email import policy
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
CHUNK = 50
TARGET_US = 1200.0

if str(BENCH_DIR) not in sys.path:  # imported as bench.mail_parse: find bench/_mailset.py
    sys.path.insert(0, str(BENCH_DIR))
if str(ROOT / "src") not in sys.path:  # run without the project installed
    sys.path.append(str(ROOT / "src"))

from _mailset import DEFAULT_COUNT, DEFAULT_SEED, generate  # noqa: E402
from operant.mail.parse import clear_caches, parse_message  # noqa: E402


def floor(raw: bytes) -> None:
    """The stdlib alone: parse without header objects, touch every part once."""
    message = email.message_from_bytes(raw, policy=policy.compat32)
    for part in message.walk():
        part.get_content_type()


def ours(raw: bytes) -> None:
    parse_message(raw)


Side = Callable[[bytes], None]


def run_round(raws: list[bytes], labels: list[str]) -> dict[str, Any]:
    """One cold pass of both sides over the set: seconds per side, in total and per label."""
    clear_caches()
    gc.collect()
    sides: dict[str, Side] = {"ours": ours, "floor": floor}
    cpu = dict.fromkeys(sides, 0.0)
    wall = dict.fromkeys(sides, 0.0)
    per_label: dict[str, dict[str, float]] = {name: defaultdict(float) for name in sides}
    clock = time.process_time
    for number, start in enumerate(range(0, len(raws), CHUNK)):
        chunk = list(zip(raws[start : start + CHUNK], labels[start : start + CHUNK], strict=True))
        for name in ("ours", "floor") if number % 2 == 0 else ("floor", "ours"):
            side, seconds = sides[name], per_label[name]
            re.purge()
            began = time.perf_counter()
            for raw, label in chunk:
                tick = clock()
                side(raw)
                spent = clock() - tick
                seconds[label] += spent
                cpu[name] += spent
            wall[name] += time.perf_counter() - began
    return {"cpu": cpu, "wall": wall, "per_label": per_label}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=DEFAULT_COUNT, help="default 3000")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--rounds", type=int, default=3, help="cold passes; median is shown")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    options = parser.parse_args([] if argv is None else argv)

    mailset = generate(options.messages, options.seed)
    raws = mailset.raws
    formats = [m.fmt for m in mailset.mails]
    load_before = os.getloadavg()
    for raw in raws[:100]:  # import-time work and first-call costs out of the way
        ours(raw)
        floor(raw)
    rounds = [run_round(raws, formats) for _ in range(max(1, options.rounds))]
    load_after = os.getloadavg()

    count = len(raws)

    def us(seconds: float) -> float:
        return round(seconds / count * 1e6, 1)

    median = sorted(rounds, key=lambda r: r["cpu"]["ours"])[len(rounds) // 2]
    figures: dict[str, Any] = {
        "messages": count,
        "seed": options.seed,
        "rounds": len(rounds),
        "load_average": {"before": load_before, "after": load_after},
        "ours_us": us(median["cpu"]["ours"]),
        "floor_us": us(median["cpu"]["floor"]),
        "ours_wall_us": us(median["wall"]["ours"]),
        "floor_wall_us": us(median["wall"]["floor"]),
        "ours_us_each_round": [us(r["cpu"]["ours"]) for r in rounds],
        "floor_us_each_round": [us(r["cpu"]["floor"]) for r in rounds],
    }
    figures["ratio"] = round(figures["ours_us"] / figures["floor_us"], 2)
    figures["ours_rate"] = round(1e6 / figures["ours_us"])
    fmt_counts = Counter(formats)
    figures["formats"] = {
        fmt: {
            "share": round(n / count, 3),
            "ours_us": round(median["per_label"]["ours"][fmt] / n * 1e6, 1),
            "floor_us": round(median["per_label"]["floor"][fmt] / n * 1e6, 1),
        }
        for fmt, n in fmt_counts.most_common()
    }
    figures["kinds"] = {
        kind: round(n / count, 3) for kind, n in Counter(m.kind for m in mailset.mails).items()
    }
    if options.json:
        print(json.dumps(figures, indent=2))
    else:
        report(figures)
    return figures


def report(figures: dict[str, Any]) -> None:
    load = figures["load_average"]
    print(
        f"mail parse: {figures['messages']} messages (seed {figures['seed']}), "
        f"{figures['rounds']} cold rounds, median shown; "
        f"load average before {_load(load['before'])}, after {_load(load['after'])}"
    )
    print(f"{'':>24}  {'us/message':>10}  {'wall us':>8}  {'each round (CPU us)':>24}")
    for name, label in (("ours", "ours (parse_message)"), ("floor", "stdlib floor")):
        rounds = ", ".join(f"{v:.0f}" for v in figures[f"{name}_us_each_round"])
        print(
            f"{label:>24}  {figures[f'{name}_us']:>10.1f}  "
            f"{figures[f'{name}_wall_us']:>8.1f}  {rounds:>24}"
        )
    print(
        f"ratio ours/floor: {figures['ratio']:.2f}; ours alone: {figures['ours_rate']} msg/s "
        f"(target: at most {TARGET_US:.0f} us per typical message)"
    )
    print(f"{'format':>24}  {'share':>6}  {'ours us':>8}  {'floor us':>8}")
    for fmt, row in figures["formats"].items():
        print(f"{fmt:>24}  {row['share']:>6.1%}  {row['ours_us']:>8.1f}  {row['floor_us']:>8.1f}")
    kinds = ", ".join(f"{kind} {share:.1%}" for kind, share in figures["kinds"].items())
    print(f"kinds: {kinds}")


def _load(values: tuple[float, float, float]) -> str:
    return "/".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    main(sys.argv[1:])
