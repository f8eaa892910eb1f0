"""Signed links: forged, for another client, reused, replaced and expired links are refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import signing

from operant.quotes.errors import LinkRefused
from operant.quotes.links import SALT, quote_link_check, quote_link_token, quote_link_url
from operant.quotes.services import quote_accept, quote_reopen, quote_send
from tests.quotes.conftest import SENT

pytestmark = pytest.mark.django_db

LATER = SENT + timedelta(days=2)


def _token(quote, action: str = "accept") -> str:
    with time_machine.travel(SENT, tick=False):
        return quote_link_token(quote, action)


def _refusal(token: str, *, now=LATER, viewer: int | None = None) -> LinkRefused:
    with time_machine.travel(now, tick=False), pytest.raises(LinkRefused) as caught:
        quote_link_check(token=token, now=now, viewer_client_id=viewer)
    return caught.value


def test_a_good_link_names_its_quote_and_action(sent) -> None:
    for action in ("accept", "decline"):
        token = _token(sent, action)
        with time_machine.travel(LATER, tick=False):
            check = quote_link_check(token=token, now=LATER)
        assert (check.quote, check.action, check.nonce) == (sent, action, sent.link_nonce)


def test_the_url_is_absolute_on_the_configured_base(sent) -> None:
    assert quote_link_url(sent, "accept").startswith("http://desk.test/quotes/respond/")


def test_the_action_must_be_known() -> None:
    with pytest.raises(ValueError, match="unknown link action"):
        quote_link_token(None, "delete")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature changed
        lambda t: t[: len(t) // 2],  # cut short
        lambda t: "garbage",
    ],
)
def test_a_forged_or_damaged_link_is_400(sent, mangle) -> None:
    refusal = _refusal(mangle(_token(sent)))
    assert refusal.status == 400
    assert "not valid" in str(refusal)


def test_a_link_signed_with_another_key_or_salt_is_400(sent, settings) -> None:
    payload = {"q": sent.pk, "c": sent.client_id, "a": "accept", "n": sent.link_nonce}
    assert _refusal(signing.dumps(payload, salt="other")).status == 400
    assert _refusal(signing.dumps(payload, salt=SALT, key="not-our-secret")).status == 400


def test_a_signed_payload_of_the_wrong_shape_is_400(sent) -> None:
    bad = signing.dumps({"q": sent.pk, "a": "delete"}, salt=SALT)
    assert _refusal(bad).status == 400


def test_a_link_for_another_clients_quote_is_403(sent, client_c) -> None:
    payload = {"q": sent.pk, "c": client_c.pk, "a": "accept", "n": sent.link_nonce}
    with time_machine.travel(SENT, tick=False):
        token = signing.dumps(payload, salt=SALT)
    assert _refusal(token).status == 403
    # A signed-in contact of another client cannot use the real link either.
    refusal = _refusal(_token(sent), viewer=client_c.pk)
    assert refusal.status == 403
    assert "another client" in str(refusal)


def test_a_used_link_is_410(sent) -> None:
    token = _token(sent)
    quote_accept(quote=sent, via="link", now=LATER, nonce=sent.link_nonce)
    refusal = _refusal(token)
    assert refusal.status == 410
    assert f"Quote {sent.ref} was already accepted on" in str(refusal)
    assert _refusal(_token(sent, "decline")).status == 410


def test_a_link_of_a_revised_quote_is_410(sent, agent) -> None:
    token = _token(sent)
    quote_reopen(quote=sent, actor=agent, now=LATER)
    assert "was replaced" in str(_refusal(token))
    quote_send(quote=sent, actor=agent, now=LATER)
    refusal = _refusal(token, now=LATER + timedelta(minutes=1))
    assert (refusal.status, "was replaced" in str(refusal)) == (410, True)


def test_a_link_past_the_validity_is_410(sent) -> None:
    token = _token(sent)
    refusal = _refusal(token, now=sent.valid_until)
    assert refusal.status == 410
    assert "expired on Thursday, December 31, 2026" in str(refusal)


def test_the_signatures_own_age_is_checked_too(sent) -> None:
    # A token may live no longer than the offer's window from when it was signed, whatever
    # the row's dates say later (here moved on a month, keeping the nonce).
    token = _token(sent)
    sent.sent_at += timedelta(days=31)
    sent.valid_until += timedelta(days=31)
    sent.save()
    refusal = _refusal(token, now=SENT + timedelta(days=32))
    assert (refusal.status, "expired" in str(refusal)) == (410, True)


def test_a_deleted_quote_is_410(sent) -> None:
    token = _token(sent)
    sent.events.all().delete()
    sent.lines.all().delete()
    from operant.desk.models import Message

    Message.objects.all().delete()
    sent.delete()
    assert _refusal(token).status == 410
