"""How statement figures read to a person, shared by the page, the PDF and the email."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any


def month_title(figures: dict[str, Any]) -> str:
    """'November 2026' from the figures' ``YYYY-MM``."""
    return dt.datetime.strptime(figures["month"], "%Y-%m").strftime("%B %Y")


def percent_text(percent: float | None) -> str:
    return "no first responses decided" if percent is None else f"{percent:g}%"


def money_text(amount: str, currency: str) -> str:
    # Decimal, not float: the figures are exact cents and must print as such.
    return f"{Decimal(amount):,.2f} {currency}" if amount else ""


def excluded_text(item: dict[str, Any]) -> str:
    """'Third-party outage: 1 h 30 min of business time excluded, 2 tickets'."""
    hours, minutes = divmod(item["minutes"], 60)
    span = f"{hours} h {minutes} min" if hours else f"{minutes} min"
    tickets = item["tickets"]
    return (
        f"{item['label']}: {span} of business time excluded, "
        f"{tickets} ticket{'' if tickets == 1 else 's'}"
    )
