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
