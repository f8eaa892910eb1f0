"""Business time: the one place where Operant counts time while it is open.

Pure arithmetic on aware datetimes: no Django, nothing else from the project. Every clock of
the desk (response targets, warnings, allowance months, notice lead times) asks this module.

What business time means here, in plain words:

- A calendar is opening hours per weekday in one time zone, e.g. Monday 09:00-12:00 and
  13:00-17:00; a weekday without hours is closed. Public holidays (from the ``holidays``
  package, for a country and optionally a subdivision) and the explicit ``closed`` dates close
  the whole local day.
- Business time is real elapsed time while the calendar is open. Each interval's ends are
  local wall times turned into instants, so a 00:00-24:00 day on which clocks go back holds 25
  hours and the day they go forward holds 23. ``24:00`` is the next day's 00:00.
- Wall times are read the way zoneinfo reads them with ``fold=0``. A time that happens twice
  (clocks go back) means its first occurrence. A time that never happens (clocks go forward)
  is read with the offset in force before the change, so it lands after the change by as much
  as it was after the change's start: in New York on 2026-03-08, "02:30" means 03:30 EDT. If
  that makes two intervals cover the same instants, the calendar is simply open then (once).
- Each local day owns the instants from its midnight to the next midnight; an instant belongs
  to the day its local date names.
- Intervals include their start and exclude their end: at 17:00 a 09:00-17:00 day is closed.
- ``add(t, d)`` is the earliest instant by which ``d`` of business time has passed since
  ``t``. When it runs out exactly at a closing time, the answer is that closing time (not the
  next opening). A zero duration gives ``next_open(t)``: ``t`` if open, else the next opening.
  A negative duration is an error.
- ``elapsed(a, b)`` is the business time between ``a`` and ``b``, negative when ``b`` is
  before ``a`` (it is the difference of two readings of one business clock).
- ``business_day_close(t, n, cutoff)`` answers "within n business days": the start day is
  ``t``'s local date if that is a business day and ``t`` is before the cutoff (default, and at
  the latest, the day's close); otherwise the next business day. The answer is the close of
  the n-th business day after the start day (n=0: the start day's own close). Days of any
  length count as one day.
- Inputs are aware datetimes in any zone; a naive datetime is an error. Results are aware
  datetimes in the calendar's zone, exact to the microsecond. (Compare or shift them in UTC
  near a clock change: Python does same-zone arithmetic by wall time.)
- Cost does not grow with the span: weeks are jumped arithmetically and the sparse exception
  days (holidays, closed dates, clock-change days) are found by bisection (see ``table``).
"""

from operant.calendar.business import BusinessCalendar
from operant.calendar.errors import CalendarError
from operant.calendar.parse import WEEKDAYS, load_calendar_file, parse_calendar

__all__ = [
    "WEEKDAYS",
    "BusinessCalendar",
    "CalendarError",
    "load_calendar_file",
    "parse_calendar",
]
