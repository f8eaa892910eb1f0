import csv
import io

import pytest

from operant.statements.export import COLUMNS
from operant.statements.services import statement_build

from .conftest import AFTER, NOVEMBER

pytestmark = pytest.mark.django_db


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_csv_parses_into_one_row_per_fact(acme_november, data_dir):
    statement = statement_build(client=acme_november, month=NOVEMBER, now=AFTER)
    data = (data_dir / statement.csv_path).read_bytes()
    rows = _rows(data)
    assert list(rows[0]) == COLUMNS
    allowance = {r["description"]: r["minutes"] for r in rows if r["section"] == "allowance"}
    assert allowance == {"allowance": "30", "carried": "0", "used": "25", "remaining": "5"}
    entries = [r for r in rows if r["section"] == "entry"]
    assert [(r["date"], r["kind"], r["minutes"]) for r in entries] == [
        ("2026-11-03", "adjustment", "10"),
        ("2026-11-10", "adjustment", "15"),
        ("2026-11-11", "quoted", "40"),
    ]
    tickets = {r["kind"]: r["count"] for r in rows if r["section"] == "tickets"}
    assert tickets["general"] == "2"
    attainment = {
        r["description"]: r["count"] or r["amount"] for r in rows if r["section"] == "attainment"
    }
    assert attainment == {"met": "2", "breached": "1", "total": "3", "percent": "66.7"}
    assert [r["amount"] for r in rows if r["section"] == "quote_accepted"] == ["1200.00"]
    [total] = [r for r in rows if r["section"] == "charge_total"]
    assert total["currency"] == "USD"


def test_text_with_commas_and_quotes_round_trips(acme, make_ticket, make_entry):
    import datetime as dt

    ticket = make_ticket(acme, AFTER.replace(month=11, day=5))
    ticket.subject = 'Fix "Hello, world"\nnow'
    ticket.save()
    make_entry(ticket, dt.date(2026, 11, 5), 5)
    statement = statement_build(client=acme, month=NOVEMBER, now=AFTER)
    from operant.statements.export import statement_csv_bytes

    [entry] = [r for r in _rows(statement_csv_bytes(statement.figures)) if r["section"] == "entry"]
    assert entry["description"] == 'Fix "Hello, world"\nnow'
