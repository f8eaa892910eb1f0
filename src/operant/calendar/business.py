"""``BusinessCalendar``: business-time arithmetic on aware datetimes (see the package docstring)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from operant.calendar.days import EPOCH, ONE_US, DayClock, DayHours, Segments
from operant.calendar.errors import CalendarError
from operant.calendar.table import DAYS, TIME, ExceptionIndex

# Per-day segments are cached; a bounded dict keeps a long-running worker's memory flat.
_SEGMENT_CACHE_SIZE = 4096


@dataclass(frozen=True)
class BusinessCalendar:
    """Opening hours in one time zone, less holidays and closed dates.

    Build it with ``parse_calendar`` or ``load_calendar_file``, which validate; the constructor
    trusts its arguments. Instances are immutable and safe to share between threads: the
    per-year tables behind them are built under a lock and swapped in whole.

    ``hours`` holds, Monday first, each weekday's intervals as sorted, disjoint
    ``(start, end)`` minutes after local midnight, where 1440 is 24:00.
    """

    timezone: ZoneInfo
    hours: tuple[DayHours, ...]
    holiday_country: str | None = None
    holiday_subdivision: str | None = None
    closed: frozenset[date] = frozenset()
    _clock: DayClock = field(init=False, repr=False, compare=False)
    _index: ExceptionIndex = field(init=False, repr=False, compare=False)
    _segments_cache: dict[int, Segments] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.hours) != 7 or not any(self.hours):
            raise CalendarError("calendar.hours", "the calendar is never open")
        clock = DayClock(self.timezone, self.hours)
        index = ExceptionIndex(clock, self.closed, self.holiday_country, self.holiday_subdivision)
        # A frozen dataclass still needs somewhere to keep its derived, private state.
        object.__setattr__(self, "_clock", clock)
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_segments_cache", {})

    def __reduce__(self) -> tuple[type[BusinessCalendar], tuple[object, ...]]:
        # The caches hold a lock, which cannot be pickled or copied; rebuild from the terms.
        terms = (
            self.timezone,
            self.hours,
            self.holiday_country,
            self.holiday_subdivision,
            self.closed,
        )
        return (BusinessCalendar, terms)

    # -- questions about instants -------------------------------------------------------------

    def is_open(self, t: datetime) -> bool:
        """Whether the calendar is open at instant ``t`` (intervals include their start only)."""
        instant, day = self._read(t, "t")
        return any(start <= instant < end for start, end in self._segments(day))

    def next_open(self, t: datetime) -> datetime:
        """``t`` itself when open, else the next instant at which the calendar opens."""
        instant, day = self._read(t, "t")
        return self._datetime(self._next_open(instant, day))

    def add(self, t: datetime, duration: timedelta) -> datetime:
        """The instant at which ``duration`` of business time counted from ``t`` has passed.

        1. Spend what is left of ``t``'s own day, interval by interval.
        2. Otherwise find the day on which the rest runs out (``ExceptionIndex.reach``: no
           stepping through the span), subtract the business time of the days in between,
           and walk that day's few intervals.
        The earliest such instant is returned, so a duration that runs out exactly at a closing
        time gives that closing time. A zero duration gives ``next_open(t)``.
        """
        instant, day = self._read(t, "t")
        left = self._micros(duration)
        if left == 0:
            return self._datetime(self._next_open(instant, day))
        for start, end in self._segments(day):
            if end <= instant:
                continue
            start = max(start, instant)
            if left <= end - start:
                return self._datetime(start + left)
            left -= end - start
        due_day, before = self._index.reach(TIME, day + 1, left)
        left -= before
        for start, end in self._segments(due_day):
            if left <= end - start:
                return self._datetime(start + left)
            left -= end - start
        raise AssertionError("reach() chose a day too short for the remaining time")

    def elapsed(self, a: datetime, b: datetime) -> timedelta:
        """Business time from ``a`` to ``b``; negative when ``b`` is before ``a``.

        It is a difference of readings of one business clock, so ``elapsed(a, b) ==
        -elapsed(b, a)`` and ``elapsed(a, b) + elapsed(b, c) == elapsed(a, c)`` for any order.
        Callers who want "time spent so far" of a clock that may not have started clamp at 0.
        """
        start, first = self._read(a, "a")
        end, last = self._read(b, "b")
        index = self._index
        table = index.cover(min(first, last), max(first, last) + 1)
        between = index.total(TIME, table, first, last)
        micros = between + self._used_before(end, last) - self._used_before(start, first)
        return timedelta(microseconds=micros)

    def business_day_close(
        self, t: datetime, business_days: int, cutoff: time | None = None
    ) -> datetime:
        """The close of business ``business_days`` business days after the start day.

        1. The start day is ``t``'s local date if that is a business day and ``t`` is before
           its cutoff (by default, and at the latest, the day's close); otherwise it is the
           next business day.
        2. The due day is the ``business_days``-th business day after the start day (0: the
           start day itself), counted without stepping through the span.
        3. The answer is the due day's close: the end of its last interval.
        """
        if isinstance(business_days, bool) or not isinstance(business_days, int):
            raise CalendarError("business_days", f"expected a whole number, got {business_days!r}")
        if business_days < 0:
            raise CalendarError("business_days", f"must not be negative, got {business_days}")
        if cutoff is not None and (not isinstance(cutoff, time) or cutoff.tzinfo is not None):
            raise CalendarError("cutoff", f"expected a local time without a zone, got {cutoff!r}")
        instant, day = self._read(t, "t")
        index = self._index
        start_day = None
        segments = self._segments(day)
        if segments:
            deadline = segments[-1][1]
            if cutoff is not None:
                micros = (cutoff.hour * 3600 + cutoff.minute * 60 + cutoff.second) * 1_000_000
                deadline = min(deadline, self._clock.wall_us(day, micros + cutoff.microsecond))
            if instant < deadline:
                start_day = day
        if start_day is None:
            start_day, _ = index.reach(DAYS, day + 1, 1)
        due_day = start_day
        if business_days:
            due_day, _ = index.reach(DAYS, start_day + 1, business_days)
        return self._datetime(self._segments(due_day)[-1][1])

    # -- questions about dates ----------------------------------------------------------------

    def is_business_day(self, d: date) -> bool:
        """Whether local date ``d`` has any open time (not a holiday, closed date or empty)."""
        return bool(self._segments(self._ordinal(d)))

    def close_of_day(self, d: date) -> datetime | None:
        """The end of local date ``d``'s last interval, or None when it is not a business day."""
        segments = self._segments(self._ordinal(d))
        return self._datetime(segments[-1][1]) if segments else None

    def open_intervals(self, d: date) -> list[tuple[datetime, datetime]]:
        """Local date ``d``'s open stretches as (opens, closes) instants, in order."""
        return [
            (self._datetime(start), self._datetime(end))
            for start, end in self._segments(self._ordinal(d))
        ]

    # -- internals ----------------------------------------------------------------------------

    def _read(self, t: datetime, name: str) -> tuple[int, int]:
        """``t`` as (microseconds since the epoch, ordinal of its local date)."""
        if not isinstance(t, datetime):
            raise CalendarError(name, f"expected a datetime, got {type(t).__name__}")
        if t.tzinfo is None or t.utcoffset() is None:
            raise CalendarError(name, f"{t.isoformat()} has no time zone; give an aware datetime")
        local = t.astimezone(self.timezone)
        return (local - EPOCH) // ONE_US, local.toordinal()

    def _ordinal(self, d: date) -> int:
        if not isinstance(d, date) or isinstance(d, datetime):
            raise CalendarError("d", f"expected a date, got {type(d).__name__}")
        return d.toordinal()

    @staticmethod
    def _micros(duration: timedelta) -> int:
        if not isinstance(duration, timedelta):
            raise CalendarError("duration", f"expected a timedelta, got {type(duration).__name__}")
        if duration < timedelta(0):
            raise CalendarError("duration", f"must not be negative, got {duration}")
        return duration // ONE_US

    def _datetime(self, instant: int) -> datetime:
        try:
            return (EPOCH + timedelta(microseconds=instant)).astimezone(self.timezone)
        except OverflowError:
            raise CalendarError("calendar", "the result is past the year 9999") from None

    def _segments(self, day: int) -> Segments:
        cache = self._segments_cache
        segments = cache.get(day)
        if segments is None:
            table = self._index.cover(day, day + 1)
            segments = () if day in table.closed else self._clock.open_segments(day)
            if len(cache) >= _SEGMENT_CACHE_SIZE:
                cache.clear()
            cache[day] = segments
        return segments

    def _used_before(self, instant: int, day: int) -> int:
        """Business time of ``day`` before ``instant``."""
        return sum(max(0, min(end, instant) - start) for start, end in self._segments(day))

    def _next_open(self, instant: int, day: int) -> int:
        for start, end in self._segments(day):
            if instant < end:
                return max(start, instant)
        first_day, _ = self._index.reach(TIME, day + 1, 1)
        return self._segments(first_day)[0][0]
