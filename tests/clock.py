"""The suite's clock: every test runs at a pinned instant, never at the real date.

``pinned_clock`` (autouse) moves time to ``PINNED_NOW`` before a test's other fixtures are
built, so fixtures made "now" are made relative to it. A test or module that needs another
instant says so with ``@pytest.mark.time_machine(instant)`` (then its fixtures are built at that
instant too), or travels inside the test with ``time_machine.travel``; both nest in this one.

The clock ticks on from the pinned instant, so code that waits, or orders rows by when they were
written, still sees time pass. time-machine patches the whole process, so the live server's
threads read the same clock. Subprocesses and the browser read the machine's clock instead:
``scripts/test-any-day`` runs the suite with it set to other days, so nothing leans on that.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

# Tuesday 1 December 2026, 12:00 in New York (17:00 UTC): a business day, just after the fixed
# instants most fixtures are dated (that morning in New York).
PINNED_NOW = dt.datetime(2026, 12, 1, 17, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def pinned_clock(request: pytest.FixtureRequest, time_machine: Any) -> None:
    """Time starts at ``PINNED_NOW``, unless the test chose its instant with the marker."""
    if request.node.get_closest_marker("time_machine") is None:
        time_machine.move_to(PINNED_NOW, tick=True)
