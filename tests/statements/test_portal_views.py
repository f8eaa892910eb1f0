"""The portal's statement pages: every test also proves charlie cannot reach alice's."""

import csv
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from operant.statements.services import statement_build

from .conftest import AFTER, NOVEMBER

pytestmark = pytest.mark.django_db
MONTH = "2026-11"
PAGES = ["portal:statement", "portal:statement_pdf", "portal:statement_csv"]


@pytest.fixture
def alice_statement(alice, acme_november):
    return statement_build(client=acme_november, month=NOVEMBER, now=AFTER)


@pytest.fixture
def charlie_statement(charlie, cobalt):
    return statement_build(client=cobalt, month=NOVEMBER, now=AFTER)


def test_the_list_shows_only_the_contacts_own_statements(
    alice_client, charlie_client, alice_statement
):
    alice_html = alice_client.get(reverse("portal:statements")).content.decode()
    assert "November 2026" in alice_html
    assert reverse("portal:statement", args=[MONTH]) in alice_html
    charlie_html = charlie_client.get(reverse("portal:statements")).content.decode()
    assert "November 2026" not in charlie_html
    assert "No statements yet" in charlie_html


def test_the_statement_page_shows_the_figures_and_the_charts(alice_client, alice_statement):
    response = alice_client.get(reverse("portal:statement", args=[MONTH]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Statement for November 2026" in html
    assert "25 min" in html
    assert '<title id="usage-title">Allowance usage by day</title>' in html
    assert "66.7% of first responses met their target" in html
    assert reverse("portal:statement_pdf", args=[MONTH]) in html
    assert reverse("portal:statement_csv", args=[MONTH]) in html


def test_the_pdf_downloads_with_the_figures(alice_client, alice_statement):
    response = alice_client.get(reverse("portal:statement_pdf", args=[MONTH]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages[0].extract_text()
    assert "Acme Dental" in text


def test_the_csv_downloads_and_parses(alice_client, alice_statement):
    response = alice_client.get(reverse("portal:statement_csv", args=[MONTH]))
    assert response["Content-Type"] == "text/csv"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["description"] == "Acme Dental"
    used = [r for r in rows if (r["section"], r["description"]) == ("allowance", "used")]
    assert [r["minutes"] for r in used] == ["25"]


def test_a_lost_file_is_rewritten_from_the_frozen_figures(alice_client, alice_statement, data_dir):
    (data_dir / alice_statement.pdf_path).unlink()
    response = alice_client.get(reverse("portal:statement_pdf", args=[MONTH]))
    assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize("name", PAGES)
def test_charlie_cannot_reach_alices_statement(name, charlie_client, alice_statement):
    response = charlie_client.get(reverse(name, args=[MONTH]))
    assert response.status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_charlie_sees_only_his_own_for_the_same_month(
    name, charlie_client, alice_statement, charlie_statement
):
    response = charlie_client.get(reverse(name, args=[MONTH]))
    assert response.status_code == 200
    if name == "portal:statement":
        body = response.content
    else:
        body = b"".join(response.streaming_content)
        assert "cobalt-gym" in response["Content-Disposition"]
    if name != "portal:statement_pdf":
        assert b"Acme Dental" not in body
        assert b"Cobalt Gym" in body


@pytest.mark.parametrize("name", ["portal:statements", *PAGES])
def test_agents_are_refused_and_visitors_sent_to_login(name, agent_client, client, alice_statement):
    args = [] if name == "portal:statements" else [MONTH]
    assert agent_client.get(reverse(name, args=args)).status_code == 403
    assert client.get(reverse(name, args=args))["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("month", ["2026-10", "2026-13", "0000-00"])
def test_a_month_without_a_statement_is_404(month, alice_client, alice_statement):
    assert alice_client.get(reverse("portal:statement", args=[month])).status_code == 404


def test_the_page_costs_the_same_queries_however_many_entries(
    alice_client, acme, make_ticket, make_entry, django_assert_max_num_queries
):
    import datetime as dt

    from .conftest import ny

    ticket = make_ticket(acme, ny(2026, 11, 2, 10))
    for day in range(1, 31):
        for _ in range(3):
            make_entry(ticket, dt.date(2026, 11, day), 1, kind="uncharged")
    statement_build(client=acme, month=NOVEMBER, now=AFTER)
    with django_assert_max_num_queries(4):
        response = alice_client.get(reverse("portal:statement", args=[MONTH]))
    assert response.content.decode().count('<tr><td data-label="Date">') == 90


def test_the_portal_menu_links_to_statements(alice_client):
    html = alice_client.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("portal:statements")}"' in html
