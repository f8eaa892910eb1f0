"""Every client's allowance balance for 10,000 clients in one pass, against the floor: one
hand-written aggregate SQL query over the same rows, measured in the same run.

Run: .venv/bin/python bench/allowance_balances.py [--clients N] [--entries-per-client K]
Target (issue 4): our pass within 3x of the floor. The floor only sums minutes per client; our
pass also builds a Balance per client (allowance, carried, remaining, closed) from the ledger rows.
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
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

FLOOR_SQL = """
SELECT client_id, SUM(minutes) FROM allowance_timeentry
WHERE month = %s AND kind = 'adjustment' AND deleted_at IS NULL
GROUP BY client_id
"""


def setup(data_dir: str, clients: int, per_client: int, month: date) -> None:
    os.environ["OPERANT_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "operant.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from operant.accounts.models import Client, ServicePackage, User
    from operant.allowance.models import TimeEntry
    from operant.desk.models import Ticket

    rng = random.Random(2026)
    now = datetime(2026, 11, 15, 12, tzinfo=UTC)
    packages = list(ServicePackage.objects.all())
    agent = User.objects.create(
        username="bench@operant.test", email="bench@operant.test", role="agent"
    )
    Client.objects.bulk_create(
        Client(
            slug=f"client-{n}",
            name=f"Client {n}",
            package=rng.choice(packages),
            timezone=rng.choice(["America/New_York", "Europe/London", "Australia/Sydney"]),
            billing_email=f"billing@client-{n}.example",
        )
        for n in range(clients)
    )
    client_ids = list(Client.objects.values_list("pk", flat=True))
    Ticket.objects.bulk_create(
        Ticket(
            client_id=pk,
            requester_email="x@example.com",
            subject="bench",
            created_at=now,
            updated_at=now,
            last_message_at=now,
            received_at=now,
        )
        for pk in client_ids
    )
    ticket_of = dict(Ticket.objects.values_list("client_id", "pk"))
    entries = []
    for pk in client_ids:
        for _ in range(per_client):
            # Two years of history: most rows fall in other months than the one asked about.
            entry_month = date(2025 + rng.randint(0, 1), rng.randint(1, 12), 1)
            entries.append(
                TimeEntry(
                    ticket_id=ticket_of[pk],
                    client_id=pk,
                    agent=agent,
                    kind=rng.choice(["adjustment", "adjustment", "quoted", "uncharged"]),
                    minutes=rng.randint(1, 15),
                    work_date=entry_month,
                    month=entry_month,
                    created_at=now,
                    updated_at=now,
                )
            )
        for _ in range(2):  # and a few in the month itself
            entries.append(
                TimeEntry(
                    ticket_id=ticket_of[pk],
                    client_id=pk,
                    agent=agent,
                    kind="adjustment",
                    minutes=rng.randint(1, 10),
                    work_date=month,
                    month=month,
                    created_at=now,
                    updated_at=now,
                )
            )
    TimeEntry.objects.bulk_create(entries, batch_size=5000)


def timed(fn, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--entries-per-client", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    month = date(2026, 11, 1)
    with tempfile.TemporaryDirectory(prefix="operant-bench-allowance-") as data_dir:
        setup(data_dir, args.clients, args.entries_per_client, month)
        from django.db import connection

        from operant.accounts.models import Client
        from operant.allowance.services import allowance_balances

        def ours() -> dict:
            return allowance_balances(clients=Client.objects.all(), month=month)

        def floor() -> list:
            with connection.cursor() as cursor:
                cursor.execute(FLOOR_SQL, [month])
                return cursor.fetchall()

        # Same answers first: the floor's sums are our used minutes, client by client.
        balances = ours()
        sums = dict(floor())
        assert len(balances) == args.clients
        assert all(balances[pk].used_minutes == sums.get(pk, 0) for pk in balances)
        ours_s = statistics.median(timed(ours, args.repeats))
        floor_s = statistics.median(timed(floor, args.repeats))
        rows = connection.cursor().execute("SELECT COUNT(*) FROM allowance_timeentry").fetchone()[0]
    figures = {
        "clients": args.clients,
        "entries": rows,
        "ours_ms": round(ours_s * 1000, 1),
        "floor_ms": round(floor_s * 1000, 1),
        "ratio": round(ours_s / floor_s, 2),
        "load": round(os.getloadavg()[0], 2),
    }
    if args.json:
        print(json.dumps(figures))
    else:
        print(
            f"allowance balances: {figures['clients']} clients, {figures['entries']} entries "
            f"(SQLite), median of {args.repeats}"
        )
        print(f"  ours (allowance_balances)      {figures['ours_ms']:>8} ms")
        print(f"  floor (one GROUP BY in SQL)    {figures['floor_ms']:>8} ms")
        verdict = "met" if figures["ratio"] <= 3 else "NOT met"
        print(
            f"  ratio ours/floor {figures['ratio']}x (target <= 3x: {verdict}); "
            f"load {figures['load']}"
        )
    return figures


if __name__ == "__main__":
    main()
