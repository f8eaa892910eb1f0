"""What the allowance refuses, as ``UserError`` subclasses with messages an agent can act on."""

from __future__ import annotations

import datetime as dt

from operant.core.errors import UserError


class AllowanceError(UserError):
    """A time entry or ledger action that cannot be done as asked."""


class EntryInvalid(AllowanceError):
    """Bad minutes, a date in the future, an unknown kind, a quote that does not fit."""


class MonthClosed(AllowanceError):
    """The month's figures are final (they are on a statement): nothing in it may change."""


class Overdraft(AllowanceError):
    """An adjustment entry would take the month past its allowance (clause 01: never silently
    overdrawn). Carries the figures so a page can offer the split."""

    def __init__(
        self,
        *,
        requested: int,
        remaining: int,
        allowance: int,
        month: dt.date,
        used_in: dt.date | None = None,
    ) -> None:
        self.requested = requested
        self.remaining = max(remaining, 0)
        self.allowance = allowance
        self.month = month
        self.overflow = requested - self.remaining
        label = f"{month:%B %Y}"
        if used_in is not None:
            # Carry-over: the month's unused minutes already count in the next month.
            what = (
                f"only {self.remaining} more minutes can be charged to {label}: the rest of its "
                f"allowance was carried over into {used_in:%B %Y} and is used there"
            )
        elif self.remaining == 0:
            what = f"the {allowance}-minute allowance for {label} is used up"
        else:
            what = (
                f"only {self.remaining} of the {allowance} allowance minutes for {label} "
                f"remain, not {requested}"
            )
        if self.remaining == 0:
            advice = "quote the work, or turn the request into a quote"
        else:
            advice = (
                f"split the entry (log the {self.remaining} minutes that fit and quote the other "
                f"{self.overflow}), or turn the request into a quote"
            )
        super().__init__(f"{what}: {advice}")


class EntryNotFound(AllowanceError):
    """No live time entry with that id."""
