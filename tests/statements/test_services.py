import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from operant.allowance.models import AllowanceMonth
from operant.desk.models import Ticket
from operant.statements.errors import StatementError
from operant.statements.models import Statement
from operant.statements.services import statement_build, statement_email

from .conftest import AFTER, NOVEMBER, ny

pytestmark = pytest.mark.django_db


def test_it_counts_allowance_minutes_with_the_entries_behind_them(acme_november):
    figures = statement_build(client=acme_november, month=NOVEMBER, now=AFTER).figures
    allowance = figures["allowance"]
    assert allowance["allowance_minutes"] == 30
    assert allowance["used_minutes"] == 25
    assert allowance["remaining_minutes"] == 5
    assert allowance["minutes_by_kind"] == {"adjustment": 25, "quoted": 40, "uncharged": 0}
    assert [(e["date"], e["minutes"], e["kind"]) for e in figures["entries"]] == [
        ("2026-11-03", 10, "adjustment"),
        ("2026-11-10", 15, "adjustment"),
        ("2026-11-11", 40, "quoted"),
    ]


def test_it_leaves_out_deleted_entries_and_other_clients(acme, cobalt, make_ticket, make_entry):
    mine = make_ticket(acme, ny(2026, 11, 3, 10))
    gone = make_entry(mine, dt.date(2026, 11, 3), 20)
    gone.deleted_at = AFTER
    gone.save()
    make_entry(make_ticket(cobalt, ny(2026, 11, 3, 10)), dt.date(2026, 11, 3), 12)
    figures = statement_build(client=acme, month=NOVEMBER, now=AFTER).figures
    assert figures["allowance"]["used_minutes"] == 0
    assert figures["entries"] == []


def test_it_counts_tickets_by_class_and_first_response_attainment(acme_november):
    figures = statement_build(client=acme_november, month=NOVEMBER, now=AFTER).figures
    counts = {item["class"]: item["count"] for item in figures["tickets"]["by_class"]}
    assert counts == {
        "outage": 1,
        "general": 2,
        "adjustment": 1,
        "out_of_scope": 0,
        "not_covered": 0,
    }
    assert figures["tickets"]["total"] == 4
    # The running clock has no verdict yet: two met of three decided.
    assert figures["attainment"] == {
        "met": 2,
        "breached": 1,
        "total": 3,
        "percent": 66.7,
        "excluded": [],
    }


def test_attainment_is_none_without_decided_clocks(acme):
    figures = statement_build(client=acme, month=NOVEMBER, now=AFTER).figures
    assert figures["attainment"] == {
        "met": 0,
        "breached": 0,
        "total": 0,
        "percent": None,
        "excluded": [],
    }


def test_it_lists_quotes_sent_and_accepted_and_charges_the_retainer_with_them(acme_november):
    figures = statement_build(client=acme_november, month=NOVEMBER, now=AFTER).figures
    quotes = figures["quotes"]
    assert [q["total"] for q in quotes["sent"]] == ["1200.00", "300.50"]
    assert quotes["sent_totals"] == {"USD": "1500.50"}
    assert [q["title"] for q in quotes["accepted"]] == ["Booking flow rebuild"]
    assert quotes["accepted_totals"] == {"USD": "1200.00"}
    package = acme_november.package
    charges = figures["charges"]
    assert charges["lines"][0]["total"] == str(package.monthly_retainer)
    assert charges["lines"][1]["total"] == "1200.00"
    assert charges["totals"] == {"USD": str(package.monthly_retainer + 1200)}


def test_month_boundaries_follow_the_clients_timezone(acme, make_ticket):
    acme.timezone = "Asia/Tokyo"
    acme.save()
    tokyo = ZoneInfo("Asia/Tokyo")
    # 1 November 01:00 in Tokyo is still 31 October in UTC: it belongs to November.
    make_ticket(acme, dt.datetime(2026, 11, 1, 1, tzinfo=tokyo))
    # 1 December 00:30 in Tokyo is still 30 November in UTC: it does not.
    make_ticket(acme, dt.datetime(2026, 12, 1, 0, 30, tzinfo=tokyo))
    now = dt.datetime(2026, 12, 1, 1, tzinfo=tokyo)
    figures = statement_build(client=acme, month=NOVEMBER, now=now).figures
    assert figures["tickets"]["total"] == 1


def test_it_refuses_a_month_that_has_not_ended_for_the_client(acme):
    acme.timezone = "Pacific/Honolulu"
    acme.save()
    # Already December in New York, still 30 November in Honolulu.
    with pytest.raises(StatementError, match="has not ended"):
        statement_build(client=acme, month=NOVEMBER, now=ny(2026, 12, 1, 2))
    assert not Statement.objects.exists()


def test_building_twice_returns_the_frozen_statement(acme_november):
    first = statement_build(client=acme_november, month=NOVEMBER, now=AFTER)
    Ticket.objects.filter(client=acme_november).update(request_class="outage")
    again = statement_build(client=acme_november, month=NOVEMBER, now=AFTER + dt.timedelta(days=3))
    assert again.pk == first.pk
    assert again.figures == first.figures
    assert Statement.objects.count() == 1


def test_it_closes_the_allowance_month(acme_november):
    statement_build(client=acme_november, month=NOVEMBER, now=AFTER)
    row = AllowanceMonth.objects.get(client=acme_november, month=NOVEMBER)
    assert row.closed_at == AFTER
    assert row.final_used_minutes == 25


def test_it_writes_the_pdf_and_csv_under_the_data_dir(acme_november, data_dir):
    statement = statement_build(client=acme_november, month=NOVEMBER, now=AFTER)
    assert (data_dir / statement.pdf_path).read_bytes().startswith(b"%PDF")
    assert (data_dir / statement.csv_path).exists()


def test_the_email_goes_to_the_billing_contact_once_with_the_pdf(acme_november):
    statement = statement_build(client=acme_november, month=NOVEMBER, now=AFTER)
    first = statement_email(statement=statement, now=AFTER)
    again = statement_email(statement=Statement.objects.get(pk=statement.pk), now=AFTER)
    assert first is not None
    assert again is not None
    assert again.pk == first.pk
    assert first.to == ["billing@acme-dental.example"]
    assert first.dedupe_key == f"statement:{acme_november.pk}:2026-11"
    [attachment] = first.attachments
    assert attachment["content_type"] == "application/pdf"
    assert attachment["path"].endswith(".pdf")


def test_without_a_billing_address_it_falls_back_to_billing_contacts(acme):
    acme.billing_email = ""
    acme.save()
    acme.contacts.update(is_billing=False)
    statement = statement_build(client=acme, month=NOVEMBER, now=AFTER)
    assert statement_email(statement=statement, now=AFTER) is None
    acme.contacts.update(is_billing=True)
    notification = statement_email(statement=statement, now=AFTER)
    assert notification.to == ["alice@acme-dental.example"]


def test_the_admin_shows_statements_read_only(admin_client, acme_november):
    statement_build(client=acme_november, month=NOVEMBER, now=AFTER)
    response = admin_client.get("/admin/statements/statement/")
    assert response.status_code == 200
    assert b"Acme Dental" in response.content


def test_paused_clock_time_is_listed_apart_by_reason(acme, make_ticket):
    from operant.desk.clock import THIRD_PARTY_OUTAGE, WAITING_ON_CLIENT
    from operant.desk.services import ticket_clock_pause, ticket_clock_resume

    outage = make_ticket(acme, ny(2026, 11, 9, 10))
    # Monday 16:00 to Tuesday 10:00 New York: one business hour each side of the night.
    ticket_clock_pause(
        ticket=outage, reason=THIRD_PARTY_OUTAGE, actor=None, now=ny(2026, 11, 9, 16)
    )
    ticket_clock_resume(ticket=outage, actor=None, now=ny(2026, 11, 10, 10))
    question = make_ticket(acme, ny(2026, 11, 5, 10))
    ticket_clock_pause(
        ticket=question, reason=WAITING_ON_CLIENT, actor=None, now=ny(2026, 11, 5, 11)
    )
    ticket_clock_resume(ticket=question, actor=None, now=ny(2026, 11, 5, 11, 30))
    figures = statement_build(client=acme, month=NOVEMBER, now=AFTER).figures
    assert figures["attainment"]["excluded"] == [
        {"reason": "third_party_outage", "label": "Third-party outage", "seconds": 7200,
         "minutes": 120, "tickets": 1},
        {"reason": "waiting_on_client", "label": "Waiting on the client", "seconds": 1800,
         "minutes": 30, "tickets": 1},
    ]  # fmt: skip
