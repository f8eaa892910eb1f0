"""quote_line_add / quote_line_remove / quote_total: exact money, nothing negative."""

from __future__ import annotations

from decimal import Decimal

import pytest

from operant.quotes.errors import QuoteError
from operant.quotes.models import QuoteLine
from operant.quotes.services import quote_line_add, quote_line_remove, quote_total

pytestmark = pytest.mark.django_db


def test_an_hours_line_costs_hours_times_the_policy_rate(make_draft) -> None:
    quote = make_draft(lines=False)
    line = quote_line_add(quote=quote, kind="hours", description="Build it", hours="1.5")
    assert (line.hours, line.rate, line.amount) == (
        Decimal("1.50"),
        Decimal("125.00"),
        Decimal("187.50"),
    )
    assert line.position == 1


def test_hours_and_amounts_round_half_up_to_the_cent(make_draft) -> None:
    quote = make_draft(lines=False)
    # 10 minutes: 0.1666... hours is quoted as 0.17 h, and priced from the rounded hours.
    line = quote_line_add(
        quote=quote, kind="hours", description="Tweak", hours=Decimal(10) / 60, rate="99.99"
    )
    assert (line.hours, line.amount) == (Decimal("0.17"), Decimal("17.00"))


def test_a_fixed_line_and_the_total(make_draft) -> None:
    quote = make_draft()  # 2 h at 125.00
    quote_line_add(quote=quote, kind="fixed", description="Number port fee", amount="49.95")
    quote_line_add(quote=quote, kind="fixed", description="Courtesy check", amount=0)
    assert quote_total(quote) == Decimal("299.95")
    assert [line.position for line in quote.lines.all()] == [1, 2, 3]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"kind": "hours", "hours": "-1"}, "hours cannot be negative"),
        ({"kind": "hours", "hours": "0"}, "hours must be more than 0"),
        ({"kind": "hours", "hours": "2", "rate": "-125"}, "rate cannot be negative"),
        ({"kind": "hours"}, "an hours line needs its hours"),
        ({"kind": "hours", "hours": "two"}, "hours must be a number"),
        ({"kind": "hours", "hours": "NaN"}, "hours must be a number"),
        ({"kind": "hours", "hours": "Infinity"}, "hours must be a number"),
        ({"kind": "hours", "hours": "1", "amount": "5"}, "leave the amount out"),
        ({"kind": "hours", "hours": "1000000"}, "hours is too large"),
        ({"kind": "fixed", "amount": "-10"}, "amount cannot be negative"),
        ({"kind": "fixed"}, "needs its amount"),
        ({"kind": "fixed", "amount": "10", "hours": "1"}, "not hours or a rate"),
        ({"kind": "discount", "amount": "10"}, "unknown line kind 'discount'"),
        ({"kind": "fixed", "amount": "10", "description": "  "}, "needs a description"),
    ],
)
def test_bad_lines_are_refused_and_nothing_is_added(make_draft, args, message) -> None:
    quote = make_draft(lines=False)
    with pytest.raises(QuoteError, match=message):
        quote_line_add(quote=quote, **{"description": "Work", **args})
    assert not QuoteLine.objects.exists()


def test_the_database_refuses_a_negative_amount_too(make_draft) -> None:
    from django.db import IntegrityError

    quote = make_draft(lines=False)
    with pytest.raises(IntegrityError):
        QuoteLine.objects.create(quote=quote, kind="fixed", description="x", amount=-1)


def test_lines_change_only_on_a_draft(sent) -> None:
    with pytest.raises(QuoteError, match="cannot change its lines"):
        quote_line_add(quote=sent, kind="fixed", description="More", amount="1")
    with pytest.raises(QuoteError, match="cannot change its lines"):
        quote_line_remove(quote=sent, line_id=sent.lines.get().pk)
    assert sent.lines.count() == 1


def test_a_line_is_removed_with_an_event(draft, agent) -> None:
    line = draft.lines.get()
    quote_line_remove(quote=draft, line_id=line.pk, actor=agent)
    assert not draft.lines.exists()
    assert draft.events.filter(kind="line_removed", actor=agent).exists()
    with pytest.raises(QuoteError, match="has no line"):
        quote_line_remove(quote=draft, line_id=line.pk)
