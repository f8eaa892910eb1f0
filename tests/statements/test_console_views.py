"""The agent's view of a client's statements; client users are refused."""

import pytest
from django.urls import reverse

from operant.statements.services import statement_build

from .conftest import AFTER, NOVEMBER

pytestmark = pytest.mark.django_db
MONTH = "2026-11"


@pytest.fixture
def statement(acme_november):
    return statement_build(client=acme_november, month=NOVEMBER, now=AFTER)


def test_the_client_page_links_to_its_statements(agent_client, acme):
    html = agent_client.get(reverse("console:client", args=[acme.slug])).content.decode()
    assert reverse("console:client_statements", args=[acme.slug]) in html


def test_an_agent_sees_the_list_the_statement_and_the_downloads(agent_client, acme, statement):
    listing = agent_client.get(reverse("console:client_statements", args=[acme.slug]))
    assert reverse("console:client_statement", args=[acme.slug, MONTH]) in listing.content.decode()
    page = agent_client.get(reverse("console:client_statement", args=[acme.slug, MONTH]))
    assert "Statement for November 2026" in page.content.decode()
    assert "Allowance usage by day" in page.content.decode()
    pdf = agent_client.get(reverse("console:client_statement_pdf", args=[acme.slug, MONTH]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    csv = agent_client.get(reverse("console:client_statement_csv", args=[acme.slug, MONTH]))
    assert csv["Content-Type"] == "text/csv"


def test_another_clients_slug_does_not_show_this_statement(agent_client, cobalt, statement):
    url = reverse("console:client_statement", args=[cobalt.slug, MONTH])
    assert agent_client.get(url).status_code == 404


@pytest.mark.parametrize(
    "name",
    ["client_statements", "client_statement", "client_statement_pdf", "client_statement_csv"],
)
def test_client_users_are_refused(name, alice_client, charlie_client, acme, statement):
    args = [acme.slug] if name == "client_statements" else [acme.slug, MONTH]
    assert alice_client.get(reverse(f"console:{name}", args=args)).status_code == 403
    assert charlie_client.get(reverse(f"console:{name}", args=args)).status_code == 403
