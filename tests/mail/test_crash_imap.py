"""Crash safety of the IMAP fetcher: SIGKILL it mid-batch, again and again, then let it finish.

300 varied messages (many senders, replies, duplicates by Message-ID, some without one) wait
in a real Dovecot mailbox. The real ``operant imap --once`` runs as a subprocess against its
own SQLite file (whatever database the rest of the suite uses), is killed with SIGKILL
several times, each at a point the test observes rather than after a delay: once the database
holds so many stored rows (the kill lands while that batch is processed) or so many settled
ones (it lands around the mailbox acknowledgement). Each kill must find the fetcher still at
work and leave mail in the mailbox, so a fast machine cannot pass without killing mid-run.
Then it runs to the end. Afterwards every distinct message is in exactly one ticket message,
no stored row is duplicated, nothing is left unprocessed, and the mailbox holds every
message, all moved to the processed folder.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.dovecot import SUPPORT, DovecotServer, make_mail
from tests.waiting import wait_until

OPERANT = Path(sys.executable).with_name("operant")
MESSAGES = 300
KILLS = 5
SEED = int(os.environ.get("OPERANT_CRASH_SEED", "20261201"))
# Bounds for a stuck run (the fetcher reaching a kill point / finishing), not assertions.
BUSY_WAIT_SECONDS = 120.0
FINISH_WAIT_SECONDS = 120.0


def corpus(rng: random.Random) -> tuple[list[bytes], set[str], int]:
    """(raw messages in mailbox order, the distinct Message-IDs, messages without one)."""
    senders = [f"user{n}@client-a.test" for n in range(8)] + [
        f"person{n}@elsewhere{n % 5}.test" for n in range(30)
    ]
    raws: list[bytes] = []
    ids: list[str] = []
    with_id: list[bytes] = []
    without_id = 0
    for n in range(MESSAGES):
        kind = rng.random()
        if ids and kind < 0.07:
            # The same message again, by another route: an extra hop, same Message-ID.
            original = rng.choice(with_id)
            raws.append(f"Received: from relay{n}.test\r\n".encode() + original)
            continue
        if kind < 0.10:
            raws.append(
                make_mail(
                    sender=rng.choice(senders),
                    message_id=None,
                    subject=f"No id {n}",
                    body=f"Message {n} has no Message-ID.\n",
                )
            )
            without_id += 1
            continue
        message_id = f"crash-{n}@{rng.choice(['client-a.test', 'elsewhere1.test'])}"
        headers: dict[str, str] = {}
        subject = f"Request {n}: " + rng.choice(
            [
                "reminders stopped",
                "a question about billing",
                "new keyword for the bot",
                "Instagram replies are slow",
                "change the welcome text",
            ]
        )
        if ids and kind < 0.45:
            parent = rng.choice(ids)
            headers = {"In-Reply-To": f"<{parent}>", "References": f"<{parent}>"}
            subject = "Re: " + subject
        body = f"Message number {n}.\n" + "Some more detail on the problem.\n" * rng.randrange(
            1, 40
        )
        raws.append(
            make_mail(
                sender=rng.choice(senders),
                subject=subject,
                body=body,
                message_id=message_id,
                headers=headers,
            )
        )
        with_id.append(raws[-1])
        ids.append(message_id)
    return raws, set(ids), without_id


def fetcher_env(tmp: Path, server: DovecotServer) -> dict[str, str]:
    # Only this test's settings, but the suite's secret key (settings refuse to start without).
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("OPERANT_") or key == "OPERANT_SECRET_KEY"
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp / 'crash.sqlite3'}",
        OPERANT_DATA_DIR=str(tmp),
        OPERANT_LOG_LEVEL="WARNING",
        OPERANT_IMAP_HOST=server.host,
        OPERANT_IMAP_PORT=str(server.port),
        OPERANT_IMAP_SSL="false",
        OPERANT_IMAP_USER=SUPPORT,
        OPERANT_IMAP_PASSWORD=server.users[SUPPORT],
        OPERANT_IMAP_PROCESSED_FOLDER="Processed",
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


# What a kill point counts: rows stored, or rows settled (processed, ignored or failed).
COUNTED = {"stored": "1 = 1", "settled": "state IN ('processed', 'ignored', 'failed')"}


def count_rows(db: Path, counted: str = "stored") -> int:
    query = f"SELECT COUNT(*) FROM mail_inboundmessage WHERE {COUNTED[counted]}"
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute(query).fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # not created yet, or locked for a moment by the writer: ask again


def kill_points(total: int) -> list[tuple[str, int]]:
    """Where each run is killed: once the database holds this many stored, or settled, rows.

    Spread over the first two thirds of the rows, so each run has well over a batch left to do
    when its point is reached."""
    return [
        ("stored" if n % 2 == 0 else "settled", total * 2 * (n + 1) // (3 * KILLS))
        for n in range(KILLS)
    ]


def run_and_kill(
    command: list[str], env: dict[str, str], db: Path, counted: str, rows: int
) -> None:
    """Start the fetcher and SIGKILL it once the database holds ``rows`` rows ``counted``.
    It must still be at work then: finishing or failing first fails the test."""
    process = subprocess.Popen(command, env=env, cwd=db.parent, stdout=subprocess.DEVNULL)
    try:
        wait_until(
            lambda: process.poll() is not None or count_rows(db, counted) >= rows,
            timeout=BUSY_WAIT_SECONDS,
            what=f"{rows} rows {counted}",
        )
    finally:
        process.kill()  # does nothing once the process has ended
        code = process.wait()
    assert code == -signal.SIGKILL, (
        f"the fetcher ended ({code}) before {rows} rows were {counted}: never killed mid-run"
    )


def test_killing_the_fetcher_mid_batch_loses_and_duplicates_nothing(
    mailboxes: DovecotServer, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    raws, distinct_ids, without_id = corpus(rng)
    mailboxes.append_many(SUPPORT, raws)
    served = sorted(hashlib.sha256(m.raw).hexdigest() for m in mailboxes.messages(SUPPORT))
    assert len(served) == MESSAGES

    env = fetcher_env(tmp_path, mailboxes)
    db = tmp_path / "crash.sqlite3"
    subprocess.run(
        [str(OPERANT), "migrate", "--noinput"],
        env=env,
        cwd=tmp_path,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run(
        [
            str(OPERANT),
            "clients",
            "add",
            "--name",
            "Client A",
            "--package",
            "growth",
            "--email",
            "user0@client-a.test",
            "--domain",
            "client-a.test",
        ],
        env=env,
        cwd=tmp_path,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    fetch = [str(OPERANT), "imap", "--once", "--batch", "20"]
    total = len(distinct_ids) + without_id
    for counted, rows in kill_points(total):
        run_and_kill(fetch, env, db, counted, rows)
        # Killed mid-run: work is left, both in the database and in the mailbox.
        assert count_rows(db) < total
        assert mailboxes.messages(SUPPORT), "the mailbox was done: the kill came too late"

    finished = subprocess.run(
        fetch, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=FINISH_WAIT_SECONDS
    )
    assert finished.returncode == 0, finished.stderr

    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT dedupe_key, state FROM mail_inboundmessage").fetchall()
        inbound = conn.execute(
            "SELECT message_id, COUNT(*) FROM desk_message WHERE kind = 'inbound' "
            "GROUP BY message_id"
        ).fetchall()
    keys = [key for key, _ in rows]
    assert len(keys) == len(set(keys)) == len(distinct_ids) + without_id
    unsettled = [(key, state) for key, state in rows if state in ("pending", "processing")]
    assert unsettled == []
    per_id = dict(inbound)
    assert set(distinct_ids) <= set(per_id), "a message never reached its ticket"
    assert [mid for mid, count in per_id.items() if count != 1] == []
    assert len(per_id) == len(distinct_ids) + without_id
    # The mailbox lost nothing: every message served is now in the processed folder.
    assert mailboxes.messages(SUPPORT) == []
    moved = mailboxes.messages(SUPPORT, "Processed")
    assert sorted(hashlib.sha256(m.raw).hexdigest() for m in moved) == served
