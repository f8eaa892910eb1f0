"""Limits on what people may type, checked where services take input, before the database.

A value past a column's ``max_length`` is a DataError on PostgreSQL (an internal error to the
user) and is silently stored whole on SQLite, which does not enforce lengths; dates far in the
past or future overflow date arithmetic; ``nan`` and ``inf`` pass every "is it positive?" test
written as ``value <= 0``. Each check here raises a ``UserError`` that names the field.
"""

from __future__ import annotations

import datetime as dt
import math

from django.db import models

from operant.core.errors import UserError

# The years the desk accepts in dates people type: far wider than any real use, far inside
# what date arithmetic (and the business calendar, years 2 to 9997) can reach from them.
FIRST_YEAR = 1900
LAST_YEAR = 2999


def check_lengths(
    model: type[models.Model],
    error: type[UserError] = UserError,
    *,
    what: str = "",
    **values: str | None,
) -> None:
    """Refuse any ``values`` longer than the ``max_length`` of the model's field of that name.
    The message calls the value ``what``, or "<model> <field>" ("a client name is at most…")."""
    for name, value in values.items():
        limit = getattr(model._meta.get_field(name), "max_length", None)
        if value is not None and limit is not None and len(value) > limit:
            label = what or f"{model._meta.verbose_name} {name.replace('_', ' ')}"
            article = "an" if label[0] in "aeiou" else "a"
            raise error(f"{article} {label} is at most {limit} characters, got {len(value)}")


def check_year(value: dt.date, what: str, error: type[UserError] = UserError) -> None:
    """Refuse a date (or datetime) outside ``FIRST_YEAR`` to ``LAST_YEAR``."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise error(f"{what}: the year must be from {FIRST_YEAR} to {LAST_YEAR}, got {value.year}")


def finite_number(text: str, what: str, *, minimum: float, maximum: float) -> float:
    """``text`` as a number from ``minimum`` (exclusive) to ``maximum``; refuses nan and inf."""
    try:
        number = float(text)
    except (TypeError, ValueError):
        raise UserError(f"{what}: expected a number, got {text!r}") from None
    if not math.isfinite(number) or not minimum < number <= maximum:
        raise UserError(
            f"{what}: must be more than {minimum:g} and at most {maximum:g}, got {text}"
        )
    return number
