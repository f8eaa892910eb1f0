"""The suite's pinned clock (tests/clock.py): no test reads the real date."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from tests.clock import PINNED_NOW

LEAP_DAY = dt.datetime(2028, 2, 29, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def made_at() -> dt.datetime:
    return timezone.now()


def test_a_test_and_its_fixtures_start_at_the_pinned_instant(made_at: dt.datetime) -> None:
    now = timezone.now()
    assert PINNED_NOW <= made_at <= now
    assert now.date() == dt.date.today() == PINNED_NOW.date()
    assert dt.datetime.fromtimestamp(time.time(), dt.UTC).date() == PINNED_NOW.date()


@pytest.mark.time_machine(LEAP_DAY)
def test_the_marker_moves_a_test_and_its_fixtures(made_at: dt.datetime) -> None:
    assert made_at.date() == timezone.now().date() == LEAP_DAY.date()
