"""Local wall times of one day turned into instants.

Instants are whole microseconds since the Unix epoch (UTC) throughout the calendar: integer
arithmetic is exact, so ``elapsed(a, add(a, h)) == h`` holds to the microsecond, which float
timestamps cannot promise. Days are proleptic Gregorian ordinals (``date.toordinal()``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

ONE_US = timedelta(microseconds=1)
MINUTE_US = 60_000_000
DAY_US = 86_400_000_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

# A day's open stretches as sorted, disjoint (start, end) instants.
Segments = tuple[tuple[int, int], ...]
# A weekday's opening hours as (start, end) minutes after local midnight; 24:00 is 1440.
DayHours = tuple[tuple[int, int], ...]


def weekday_of(ordinal: int) -> int:
    """Monday is 0, as ``date.weekday()``: ordinal 1 (0001-01-01) was a Monday."""
    return (ordinal - 1) % 7


def capacity_of(segments: Segments) -> int:
    return sum(end - start for start, end in segments)


class DayClock:
    """The weekly opening pattern in one time zone, ignoring holidays and closed dates."""

    __slots__ = ("capacity", "hours", "nominal", "tz")

    def __init__(self, tz: ZoneInfo, hours: tuple[DayHours, ...]) -> None:
        self.tz = tz
        self.hours = hours
        # Offsets from local midnight, valid on every day whose UTC offset does not change.
        self.nominal: tuple[Segments, ...] = tuple(
            tuple((a * MINUTE_US, b * MINUTE_US) for a, b in day) for day in hours
        )
        self.capacity: tuple[int, ...] = tuple(capacity_of(day) for day in self.nominal)

    def wall_us(self, ordinal: int, micros: int = 0) -> int:
        """The instant of a local wall time, ``micros`` after midnight of day ``ordinal``.

        zoneinfo reads the wall time with fold=0: an ambiguous time (clocks went back) is its
        first occurrence, and a time that does not exist (clocks went forward) is read with the
        offset in force before the change, which lands as far after the change as the time was
        after its start (02:30 in a 02:00->03:00 jump is 03:30 new time).
        """
        if micros >= DAY_US:  # 24:00 is the next day's midnight
            ordinal, micros = ordinal + micros // DAY_US, micros % DAY_US
        day = date.fromordinal(ordinal)
        local = datetime(day.year, day.month, day.day, tzinfo=self.tz) + timedelta(
            microseconds=micros
        )
        offset = local.utcoffset()
        assert offset is not None  # a ZoneInfo always has an offset
        return (ordinal - EPOCH_ORDINAL) * DAY_US + micros - offset // ONE_US

    def open_segments(self, ordinal: int) -> Segments:
        """The instants of day ``ordinal`` covered by its weekday's hours.

        The day owns the instants from its midnight up to the next midnight, so consecutive
        days never share an instant; on a day with a clock change the intervals are converted
        one by one, clipped to the day, and merged where the change made them overlap.
        """
        day = self.nominal[weekday_of(ordinal)]
        if not day:
            return ()
        start = self.wall_us(ordinal)
        end = self.wall_us(ordinal + 1)
        if end - start == DAY_US:
            # No clock change today: every wall time has the midnight offset.
            return tuple((start + a, start + b) for a, b in day)
        pieces = []
        for a, b in day:
            lo = max(self.wall_us(ordinal, a), start)
            hi = min(self.wall_us(ordinal, b), end)
            if hi > lo:
                pieces.append((lo, hi))
        pieces.sort()
        merged: list[tuple[int, int]] = []
        for lo, hi in pieces:
            if merged and lo <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
            else:
                merged.append((lo, hi))
        return tuple(merged)
