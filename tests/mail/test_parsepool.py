"""ParsePool: worker processes parse as this process does, and losing them loses nothing."""

from __future__ import annotations

import os
import signal

import pytest

from operant.mail.parse import parse_message
from operant.mail.parsepool import ParsePool, default_workers
from tests.mail.test_parse_robustness import SAMPLE_BYTES
from tests.waiting import wait_until


def test_a_worker_parses_as_this_process_does() -> None:
    with ParsePool(workers=1) as pool:
        assert pool.parallel
        results = pool.submit(SAMPLE_BYTES)()
    assert results == [parse_message(raw) for raw in SAMPLE_BYTES]
    assert any(result.attachments for result in results)  # bytes made the trip too


def test_without_workers_it_parses_here() -> None:
    with ParsePool(workers=0) as pool:
        assert not pool.parallel
        pool.warm()  # nothing to start
        assert pool.submit(SAMPLE_BYTES[:3])() == [parse_message(r) for r in SAMPLE_BYTES[:3]]


def test_batches_submitted_ahead_come_back_in_their_own_order() -> None:
    with ParsePool(workers=1) as pool:
        waits = [pool.submit([raw]) for raw in SAMPLE_BYTES]
        results = [wait()[0] for wait in reversed(waits)]
    assert results == [parse_message(raw) for raw in reversed(SAMPLE_BYTES)]


def test_a_killed_worker_means_parsing_here_from_then_on(caplog: pytest.LogCaptureFixture) -> None:
    with ParsePool(workers=1) as pool:
        pool.warm()
        executor = pool._executor
        assert executor is not None
        for process in list(executor._processes.values()):
            os.kill(process.pid, signal.SIGKILL)
            process.join(timeout=30)
        first = pool.submit(SAMPLE_BYTES[:2])()
        second = pool.submit(SAMPLE_BYTES[2:4])()
        assert not pool.parallel
    assert first == [parse_message(r) for r in SAMPLE_BYTES[:2]]
    assert second == [parse_message(r) for r in SAMPLE_BYTES[2:4]]
    assert "parsing in this process" in caplog.text


def test_workers_default_to_one_fewer_than_the_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPERANT_PARSE_WORKERS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert default_workers() == 1
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert default_workers() == 0
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert default_workers() == 4
    monkeypatch.setenv("OPERANT_PARSE_WORKERS", "0")
    assert default_workers() == 0


def test_a_bad_worker_count_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("OPERANT_PARSE_WORKERS", "lots")
    with pytest.raises(ImproperlyConfigured, match="OPERANT_PARSE_WORKERS"):
        default_workers()


ORPHAN_SCRIPT = """
import threading
from operant.mail.parsepool import ParsePool
pool = ParsePool(workers=1).__enter__()
pool.warm()
print(*[p.pid for p in pool._executor._processes.values()], flush=True)
threading.Event().wait()  # until killed
"""


def test_workers_leave_when_their_parent_is_killed() -> None:
    """The intake may be SIGKILLed (the crash test does it): its workers must not linger."""
    import subprocess
    import sys

    parent = subprocess.Popen(
        [sys.executable, "-c", ORPHAN_SCRIPT], stdout=subprocess.PIPE, text=True
    )
    try:
        workers = [int(pid) for pid in parent.stdout.readline().split()]
        assert workers
        assert all(_alive(pid) for pid in workers)
    finally:
        parent.kill()
        parent.wait()
    # The workers look for their parent every half second.
    wait_until(
        lambda: not any(_alive(pid) for pid in workers),
        timeout=60,
        what="the orphaned parse workers to leave",
    )


def _alive(pid: int) -> bool:
    """True while the process exists and is not a zombie waiting for its (gone) parent."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
