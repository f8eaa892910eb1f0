"""Business time over long spans without stepping through them.

Two quantities are counted per day: open time (microseconds) and business days (1 if the day
has any open time). Each has a *nominal* weekly pattern, from the weekday hours, and a sparse
set of *exception* days whose real value differs: holidays and closed dates (nothing open),
and days on which the UTC offset changes (a 00:00-24:00 day holds 23 or 25 hours).

1. The nominal total up to a day is whole weeks times the weekly total plus a prefix sum
   within the week: O(1) for any span.
2. Exceptions are kept sorted with prefix sums of their corrections (real minus nominal), so
   the correction over any span is two bisects.
3. The day on which a running total reaches an amount is found by bisecting the exceptions on
   "total at the end of this exception day" (non-decreasing), then solving the nominal weekly
   pattern arithmetically in the gap before the first exception that reaches it.
4. Exceptions are computed per calendar year on first use (holiday tables are slow to build)
   and cached; a table only answers for the years it has seen and is extended on demand.
"""

from __future__ import annotations

import threading
import warnings
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import holidays

from operant.calendar.days import DAY_US, DayClock, capacity_of, weekday_of
from operant.calendar.errors import CalendarError

# Dates the calendar answers for; zoneinfo and date both stop at year 9999, and a day needs
# its successor's midnight.
FIRST_YEAR = 2
LAST_YEAR = 9997
# Years with no open time at all, past every explicit closed date, after which a search
# concludes that the calendar never opens again instead of looking forever.
NEVER_OPEN_YEARS = 10
# A request this many years away from the known years starts a fresh table rather than
# building every year in between.
FAR_YEARS = 50

TIME = 0
DAYS = 1


def year_start(year: int) -> int:
    return date(year, 1, 1).toordinal()


_FIRST_ORDINAL = year_start(FIRST_YEAR)
_END_ORDINAL = year_start(LAST_YEAR + 1)


def year_of(ordinal: int) -> int:
    return date.fromordinal(ordinal).year


class Measure:
    """A nominal weekly pattern of one quantity, summed over any span in O(1)."""

    __slots__ = ("prefix", "week")

    def __init__(self, weights: Iterable[int]) -> None:
        prefix = [0]
        for weight in weights:
            prefix.append(prefix[-1] + weight)
        self.prefix = tuple(prefix)
        self.week = prefix[-1]

    def cum(self, ordinal: int) -> int:
        """Nominal total over the days before ``ordinal`` (counted from ordinal 1, a Monday)."""
        weeks, day = divmod(ordinal - 1, 7)
        return weeks * self.week + self.prefix[day]

    def first_reaching(self, amount: int) -> int:
        """The smallest ordinal ``n`` with ``cum(n) >= amount``.

        Working from ``amount - 1`` makes the remainder 1..week, so the bisect finds the day on
        which the total first passes it, not a trailing closed weekday with the same total.
        """
        weeks, rest = divmod(amount - 1, self.week)
        return weeks * 7 + bisect_left(self.prefix, rest + 1) + 1


@dataclass(frozen=True, slots=True)
class YearData:
    entries: tuple[tuple[int, int, int], ...]  # (ordinal, time correction, day correction)
    closed: frozenset[int]
    open_time: int  # real open time in the year, for the never-opens guard


@dataclass(frozen=True, slots=True)
class Table:
    """Exceptions for the years ``first_year..last_year``, i.e. ordinals ``lo <= n < hi``."""

    first_year: int
    last_year: int
    lo: int
    hi: int
    ordinals: list[int]
    prefix: tuple[list[int], list[int]]  # TIME and DAYS corrections, len(ordinals) + 1 each
    # Per measure, the absolute running total at the end of each exception day,
    # cum(ordinal + 1) + prefix[i + 1]: non-decreasing, so reach() bisects it directly.
    reached: tuple[list[int], list[int]]
    closed: frozenset[int]

    def covers(self, lo: int, hi: int) -> bool:
        return self.lo <= lo and hi <= self.hi


_EMPTY = Table(0, -1, 0, 0, [], ([0], [0]), ([], []), frozenset())


class ExceptionIndex:
    """The exception days of one calendar, built per year on first use and shared by threads."""

    def __init__(
        self,
        clock: DayClock,
        closed: frozenset[date],
        country: str | None,
        subdivision: str | None,
    ) -> None:
        self.clock = clock
        self.measures = (
            Measure(clock.capacity),
            Measure(1 if capacity else 0 for capacity in clock.capacity),
        )
        self._closed_by_year: dict[int, set[int]] = {}
        for day in closed:
            self._closed_by_year.setdefault(day.year, set()).add(day.toordinal())
        self._last_closed_year = max((day.year for day in closed), default=FIRST_YEAR)
        self._country = country
        self._subdivision = subdivision
        self._years: dict[int, YearData] = {}
        self._table = _EMPTY
        # Readers take the current immutable Table without locking; only building is locked.
        self._lock = threading.Lock()

    def cover(self, lo: int, hi: int) -> Table:
        """A table that knows every exception among ordinals ``lo <= n < hi``."""
        table = self._table
        if table.covers(lo, hi):
            return table
        if lo < _FIRST_ORDINAL or max(lo, hi - 1) >= _END_ORDINAL:
            raise CalendarError(
                "calendar",
                f"only dates in the years {FIRST_YEAR}-{LAST_YEAR} are supported, and this "
                "question needs one outside them",
            )
        first, last = year_of(lo), year_of(max(lo, hi - 1))
        with self._lock:
            table = self._table
            if table.covers(lo, hi):
                return table
            near = (
                table.last_year >= table.first_year
                and first - FAR_YEARS <= table.last_year
                and last + FAR_YEARS >= table.first_year
            )
            if near:  # keep one contiguous run of years, so any span in it is O(log n)
                first, last = min(first, table.first_year), max(last, table.last_year)
            for year in range(first, last + 1):
                if year not in self._years:
                    self._years[year] = self._build_year(year)
            self._table = table = self._merge(first, last)
            return table

    def total(self, which: int, table: Table, lo: int, hi: int) -> int:
        """The real total of TIME or DAYS over days ``lo <= n < hi`` (negative if hi < lo)."""
        ordinals, prefix = table.ordinals, table.prefix[which]
        correction = prefix[bisect_left(ordinals, hi)] - prefix[bisect_left(ordinals, lo)]
        measure = self.measures[which]
        return measure.cum(hi) - measure.cum(lo) + correction

    def reach(self, which: int, start: int, amount: int) -> tuple[int, int]:
        """The first day ``d >= start`` by whose end the total since ``start`` is ``>= amount``,
        and the total over the days ``start <= n < d`` before it.

        ``amount`` must be positive. See the module docstring, step 3.
        """
        measure = self.measures[which]
        table = self.cover(start, start + 1)
        while True:
            ordinals, prefix = table.ordinals, table.prefix[which]
            first = bisect_left(ordinals, start)
            # Absolute running totals: the total at the end of day n is cum(n + 1) plus the
            # corrections of the exceptions before n + 1.
            base = measure.cum(start) + prefix[first]
            target = base + amount
            found = bisect_left(table.reached[which], target, first)
            # Between the previous exception and `found` every day is nominal, so solve the
            # weekly pattern; the exception `found` itself caps the answer.
            day = measure.first_reaching(target - prefix[found]) - 1
            if found < len(ordinals) and day > ordinals[found]:
                day = ordinals[found]
            if day < table.hi:
                # Exactly the exceptions before `found` lie before `day`.
                return day, measure.cum(day) + prefix[found] - base
            # The answer lies past the known years, where unknown exceptions may move it.
            self._check_opens(table, start)
            table = self.cover(start, day + 1)

    def _check_opens(self, table: Table, start: int) -> None:
        quiet_from = max(year_of(start), self._last_closed_year) + 1
        if table.last_year - quiet_from + 1 < NEVER_OPEN_YEARS:
            return
        recent = range(table.last_year - NEVER_OPEN_YEARS + 1, table.last_year + 1)
        if all(self._years[year].open_time == 0 for year in recent):
            raise CalendarError(
                "calendar",
                f"the calendar never opens after {date.fromordinal(start).isoformat()} "
                f"(checked {NEVER_OPEN_YEARS} years past its last closed date)",
            )

    def _holidays(self, year: int) -> set[int]:
        if self._country is None:
            return set()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # deprecated subdivision aliases still work
            table = holidays.country_holidays(self._country, subdiv=self._subdivision, years=year)
        # The package files an observed day under the year it falls in; keep only this year's.
        return {day.toordinal() for day in table if day.year == year}

    def _build_year(self, year: int) -> YearData:
        clock = self.clock
        closed = self._closed_by_year.get(year, set()) | self._holidays(year)
        entries = []
        open_time = 0
        lo, hi = year_start(year), year_start(year + 1)
        midnight = clock.wall_us(lo)
        for ordinal in range(lo, hi):
            next_midnight = clock.wall_us(ordinal + 1)
            nominal = clock.capacity[weekday_of(ordinal)]
            if ordinal in closed:
                real = 0
            elif next_midnight - midnight != DAY_US:
                real = capacity_of(clock.open_segments(ordinal))
            else:
                real = nominal
            open_time += real
            if real != nominal:
                entries.append((ordinal, real - nominal, (real > 0) - (nominal > 0)))
            midnight = next_midnight
        return YearData(tuple(entries), frozenset(closed), open_time)

    def _merge(self, first: int, last: int) -> Table:
        ordinals: list[int] = []
        time_prefix, day_prefix = [0], [0]
        closed: set[int] = set()
        for year in range(first, last + 1):
            data = self._years[year]
            closed |= data.closed
            for ordinal, time_delta, day_delta in data.entries:
                ordinals.append(ordinal)
                time_prefix.append(time_prefix[-1] + time_delta)
                day_prefix.append(day_prefix[-1] + day_delta)
        prefix = (time_prefix, day_prefix)
        reached = tuple(
            [measure.cum(n + 1) + totals[i + 1] for i, n in enumerate(ordinals)]
            for measure, totals in zip(self.measures, prefix, strict=True)
        )
        return Table(
            first_year=first,
            last_year=last,
            lo=year_start(first),
            hi=year_start(last + 1),
            ordinals=ordinals,
            prefix=prefix,
            reached=(reached[0], reached[1]),
            closed=frozenset(closed),
        )
