"""The one exception type of the calendar module."""

from __future__ import annotations

import re

_INDEX = re.compile(r"(\[\d+\])+$")


class CalendarError(ValueError):
    """A calendar file, table or argument that cannot be used as given.

    The message always starts with the offending key (``calendar.hours.mon[1]: ...``) because the
    people who read it edit a TOML file: the key is how they find the line. ``key`` is the dotted
    key without list indexes (``calendar.hours.mon``), so callers can look it up in the file;
    ``path`` keeps the index when there is one.
    """

    def __init__(self, path: str, problem: str, *, source: str | None = None) -> None:
        self.path = path
        self.key = _INDEX.sub("", path)
        self.problem = problem
        self.source = source
        prefix = f"{source}: " if source else ""
        super().__init__(f"{prefix}{path}: {problem}")

    def in_file(self, source: str) -> CalendarError:
        """The same error, saying which file (and line, when known) it came from."""
        return CalendarError(self.path, self.problem, source=source)
