"""Crash safety of the IMAP fetcher: SIGKILL it mid-batch, again and again, then let it finish.

300 varied messages (many senders, replies, duplicates by Message-ID, some without one) wait
in a real Dovecot mailbox. The real ``operant imap --once`` runs as a subprocess against its
own SQLite file (whatever database the rest of the suite uses), is killed with SIGKILL at
random moments once it is busy, several times, and then runs to the end. Afterwards every
distinct message is in exactly one ticket message, no stored row is duplicated, nothing is
left unprocessed, and the mailbox holds every message, all moved to the processed folder.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.dovecot import SUPPORT, DovecotServer, make_mail

OPERANT = Path(sys.executable).with_name("operant")
MESSAGES = 300
KILLS = 5
SEED = int(os.environ.get("OPERANT_CRASH_SEED", "20261201"))
# Readiness waits (how long to wait for the fetcher to get busy / finish), not assertions.
BUSY_WAIT_SECONDS = 30.0
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
    env = {key: value for key, value in os.environ.items() if not key.startswith("OPERANT_")}
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


def stored_rows(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM mail_inboundmessage").fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # locked for a moment by the writer: try again


def run_and_kill(command: list[str], env: dict[str, str], db: Path, delay: float) -> bool:
    """Start the fetcher, wait until it stores something, SIGKILL it ``delay`` s later.
    True when it was killed (it may have finished first)."""
    before = stored_rows(db)
    process = subprocess.Popen(command, env=env, cwd=db.parent, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + BUSY_WAIT_SECONDS
    while process.poll() is None and stored_rows(db) == before and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(delay)
    killed = process.poll() is None
    if killed:
        os.kill(process.pid, signal.SIGKILL)
    process.wait()
    return killed


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
    kills = 0
    for _ in range(KILLS):
        kills += run_and_kill(fetch, env, db, rng.uniform(0.3, 1.5))
        if not mailboxes.messages(SUPPORT):
            break  # a fast machine: the mailbox is done before all the kills were spent
    assert kills, f"the fetcher was never killed mid-run (seed {SEED})"

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
