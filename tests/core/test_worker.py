from datetime import UTC, datetime

from operant.core.worker import WorkerLoop

NOW = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)


def test_it_runs_every_job_and_counts_what_they_handled() -> None:
    seen: list[tuple[str, datetime]] = []

    def first(*, now: datetime) -> int:
        seen.append(("first", now))
        return 2

    def second(*, now: datetime) -> int:
        seen.append(("second", now))
        return 1

    loop = WorkerLoop(jobs={"first": first, "second": second})
    assert loop.run_once(now=NOW) == 3
    assert seen == [("first", NOW), ("second", NOW)]


def test_a_failing_job_does_not_stop_the_others() -> None:
    def broken(*, now: datetime) -> int:
        raise RuntimeError("boom")

    def healthy(*, now: datetime) -> int:
        return 1

    loop = WorkerLoop(jobs={"broken": broken, "healthy": healthy})
    assert loop.run_once(now=NOW) == 1


def test_it_stops_between_jobs_when_asked() -> None:
    loop = WorkerLoop(jobs={})

    def stopper(*, now: datetime) -> int:
        loop.stopping = True
        return 1

    def never(*, now: datetime) -> int:
        raise AssertionError("ran after stop was requested")

    loop.jobs = {"stopper": stopper, "never": never}
    assert loop.run_once(now=NOW) == 1
    loop.run_forever(max_passes=5)  # returns at once: already stopping
