"""The statement as CSV: one flat table, so a spreadsheet or ``csv.DictReader`` reads it whole.

Each row is one fact; ``section`` says which part of the statement it belongs to.
"""

from __future__ import annotations

import csv
import io
from typing import Any

COLUMNS = [
    "section",
    "date",
    "reference",
    "description",
    "kind",
    "minutes",
    "count",
    "amount",
    "currency",
]


def _rows(figures: dict[str, Any]) -> list[dict[str, Any]]:
    allowance = figures["allowance"]
    client = figures["client"]
    # The first row names whose month this is, so a file detached from its name still says.
    rows: list[dict[str, Any]] = [
        {
            "section": "statement",
            "date": figures["month"],
            "reference": client["slug"],
            "description": client["name"],
        }
    ]
    rows += [
        {"section": "allowance", "description": name, "minutes": allowance[f"{name}_minutes"]}
        for name in ("allowance", "carried", "used", "remaining")
    ]
    rows += [
        {
            "section": "entry",
            "date": entry["date"],
            "reference": entry["ticket"],
            "description": entry["subject"],
            "kind": entry["kind"],
            "minutes": entry["minutes"],
        }
        for entry in figures["entries"]
    ]
    rows += [
        {
            "section": "tickets",
            "kind": item["class"],
            "description": item["label"],
            "count": item["count"],
        }
        for item in figures["tickets"]["by_class"]
    ]
    attainment = figures["attainment"]
    rows += [
        {"section": "attainment", "description": name, "count": attainment[name]}
        for name in ("met", "breached", "total")
    ]
    percent = attainment["percent"]
    rows.append(
        {
            "section": "attainment",
            "description": "percent",
            "amount": "" if percent is None else percent,
        }
    )
    rows += [
        {
            "section": "attainment_excluded",
            "kind": item["reason"],
            "description": item["label"],
            "count": item["tickets"],
            "amount": item["seconds"],
        }
        for item in attainment.get("excluded", ())
    ]
    for state in ("sent", "accepted"):
        rows += [
            {
                "section": f"quote_{state}",
                "date": quote["at"][:10],
                "reference": quote["ref"],
                "description": quote["title"],
                "amount": quote["total"],
                "currency": quote["currency"],
            }
            for quote in figures["quotes"][state]
        ]
    rows += [
        {
            "section": "charge",
            "description": line["description"],
            "amount": line["total"],
            "currency": line["currency"],
        }
        for line in figures["charges"]["lines"]
    ]
    rows += [
        {"section": "charge_total", "amount": amount, "currency": currency}
        for currency, amount in figures["charges"]["totals"].items()
    ]
    return rows


def statement_csv_bytes(figures: dict[str, Any]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, restval="")
    writer.writeheader()
    writer.writerows(_rows(figures))
    # UTF-8 with a BOM: spreadsheet programs otherwise misread accented client names.
    return buffer.getvalue().encode("utf-8-sig")
