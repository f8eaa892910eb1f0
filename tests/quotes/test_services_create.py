"""quote_create: a draft with the policy's currency, validity and version."""

from __future__ import annotations

import pytest

from operant.quotes.errors import QuoteError
from operant.quotes.models import Quote, QuoteEvent, QuoteState
from operant.quotes.services import quote_create, scope_keys
from tests.quotes.conftest import OPENED

pytestmark = pytest.mark.django_db


def test_a_draft_takes_currency_and_validity_from_the_policy(oos_ticket, agent) -> None:
    quote = quote_create(
        client=oos_ticket.client,
        ticket=oos_ticket,
        title="  Instagram   booking replies ",
        scope_category="new_feature",
        created_by=agent,
        now=OPENED,
    )
    assert quote.state == QuoteState.DRAFT
    assert quote.title == "Instagram booking replies"
    assert (quote.currency, quote.validity_days, quote.clause) == ("USD", 30, "02")
    assert quote.policy_version.version == "2026-03-13"
    assert quote.ref == f"Q-{quote.pk}"
    [event] = QuoteEvent.objects.filter(quote=quote)
    assert (event.kind, event.actor) == ("created", agent)
    assert oos_ticket.events.filter(kind="quote_drafted").exists()


def test_an_allowance_overdraft_quote_cites_clause_01(client_a, agent) -> None:
    quote = quote_create(
        client=client_a,
        title="Extra adjustments in December",
        scope_category="allowance_overdraft",
        created_by=agent,
        now=OPENED,
        validity_days=7,
    )
    assert (quote.clause, quote.validity_days, quote.ticket) == ("01", 7, None)


def test_the_scope_keys_are_the_policys_categories_and_the_overdraft(db) -> None:
    from operant.policy.loader import current_policy

    keys = scope_keys(current_policy())
    assert keys[0] == "new_feature"
    assert keys[-1] == "allowance_overdraft"
    assert len(keys) == 8


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"scope_category": "general"}, "unknown scope category 'general'"),
        ({"title": "   "}, "a quote needs a title"),
        ({"title": "x" * 201}, "at most 200 characters"),
        ({"currency": "dollars"}, "3-letter ISO 4217 code"),
        ({"validity_days": 0}, "valid for 1 to 365 days"),
        ({"validity_days": 400}, "valid for 1 to 365 days"),
        ({"validity_days": "soon"}, "valid for 1 to 365 days, got 'soon'"),
        ({"validity_days": 2.5}, "valid for 1 to 365 days"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_created(client_a, agent, overrides, message) -> None:
    args = {
        "client": client_a,
        "title": "Migration",
        "scope_category": "migration",
        "created_by": agent,
        "now": OPENED,
        **overrides,
    }
    with pytest.raises(QuoteError, match=message):
        quote_create(**args)
    assert not Quote.objects.exists()


def test_a_ticket_of_another_client_is_refused(oos_ticket, client_c, agent) -> None:
    with pytest.raises(QuoteError, match="belongs to Acme Dental, not Cobalt Gym"):
        quote_create(
            client=client_c,
            ticket=oos_ticket,
            title="Migration",
            scope_category="migration",
            created_by=agent,
            now=OPENED,
        )
    assert not Quote.objects.exists()


def test_what_is_left_out_comes_from_the_ticket(oos_ticket, agent) -> None:
    quote = quote_create(ticket=oos_ticket, created_by=agent, now=OPENED)
    assert quote.client == oos_ticket.client
    assert (quote.title, quote.scope_category) == ("Add Instagram booking replies", "new_feature")


def test_a_long_subject_makes_a_title_cut_to_fit(oos_ticket, agent) -> None:
    subject = "Please " + "add a booking reply " * 12  # 247 characters
    oos_ticket.subject = subject
    oos_ticket.save(update_fields=["subject"])
    quote = quote_create(ticket=oos_ticket, created_by=agent, now=OPENED)
    assert quote.title == subject[:200].rstrip()


def test_without_a_client_or_a_ticket_filed_under_one_nothing_is_created(client_a, agent):
    with pytest.raises(QuoteError, match="name the client, or a ticket filed under one"):
        quote_create(title="Migration", scope_category="migration", created_by=agent, now=OPENED)
    assert not Quote.objects.exists()


def test_the_lines_are_added_with_the_draft(client_a, agent) -> None:
    quote = quote_create(
        client=client_a,
        title="Migration",
        scope_category="migration",
        created_by=agent,
        now=OPENED,
        lines=[
            {"kind": "hours", "description": "Port the number", "hours": "1.5"},
            {"kind": "fixed", "description": "Carrier fee", "amount": 20},
        ],
    )
    assert [(line.description, str(line.amount)) for line in quote.lines.all()] == [
        ("Port the number", "187.50"),
        ("Carrier fee", "20.00"),
    ]


def test_a_refused_line_leaves_no_draft(client_a, agent) -> None:
    with pytest.raises(QuoteError, match="hours cannot be negative"):
        quote_create(
            client=client_a,
            title="Migration",
            scope_category="migration",
            created_by=agent,
            now=OPENED,
            lines=[{"kind": "hours", "description": "x", "hours": -1}],
        )
    assert not Quote.objects.exists()
