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

    def __init__(self, *, requested: int, remaining: int, allowance: int, month: dt.date) -> None:
        self.requested = requested
        self.remaining = remaining
        self.allowance = allowance
        self.month = month
        self.overflow = requested - remaining
        label = f"{month:%B %Y}"
        if remaining <= 0:
            message = (
                f"the {allowance}-minute allowance for {label} is used up, so these "
                f"{requested} minutes cannot be charged to it: quote the work, or turn the "
                "request into a quote"
            )
        else:
            message = (
                f"only {remaining} of the {allowance} allowance minutes for {label} remain, "
                f"not {requested}: split the entry (log the {remaining} minutes that fit and "
                f"quote the other {self.overflow}), or turn the request into a quote"
            )
        super().__init__(message)


class EntryNotFound(AllowanceError):
    """No live time entry with that id."""
