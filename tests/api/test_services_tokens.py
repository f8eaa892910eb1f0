"""API token service: creation shows the secret once, only its hash is kept, refusals say why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from operant.api.models import ApiToken
from operant.api.services import (
    ApiTokenError,
    TokenRefused,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
    token_hash,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def test_it_stores_only_the_hash_and_a_short_visible_prefix(agent) -> None:
    token, plaintext = api_token_create(user=agent, name="zapier", now=NOW)
    token.refresh_from_db()
    assert plaintext.startswith("opr_")
    assert len(plaintext) > 40
    assert token.key_hash == token_hash(plaintext)
    assert token.prefix == plaintext[:12]
    assert plaintext not in {token.name, token.prefix, token.key_hash}
    assert (token.user, token.name, token.created_at) == (agent, "zapier", NOW)
    assert token.last_used_at is None
    assert token.revoked_at is None


def test_every_token_is_different(agent) -> None:
    _, first = api_token_create(user=agent, name="one", now=NOW)
    _, second = api_token_create(user=agent, name="two", now=NOW)
    assert first != second


def test_it_authenticates_a_live_token_and_notes_its_use(agent) -> None:
    created, plaintext = api_token_create(user=agent, name="zapier", now=NOW)
    token = api_token_authenticate(plaintext=plaintext, now=NOW)
    assert token == created
    assert token.user == agent
    created.refresh_from_db()
    assert created.last_used_at == NOW


def test_last_used_is_written_at_most_once_a_minute(agent) -> None:
    created, plaintext = api_token_create(user=agent, name="zapier", now=NOW)
    api_token_authenticate(plaintext=plaintext, now=NOW)
    api_token_authenticate(plaintext=plaintext, now=NOW + timedelta(seconds=30))
    created.refresh_from_db()
    assert created.last_used_at == NOW
    api_token_authenticate(plaintext=plaintext, now=NOW + timedelta(minutes=2))
    created.refresh_from_db()
    assert created.last_used_at == NOW + timedelta(minutes=2)


@pytest.mark.parametrize("forged", ["opr_not-a-real-token", "", "garbage"])
def test_a_forged_token_is_refused(agent, forged) -> None:
    api_token_create(user=agent, name="zapier", now=NOW)
    with pytest.raises(TokenRefused, match="invalid API token"):
        api_token_authenticate(plaintext=forged, now=NOW)


def test_a_token_one_character_off_is_refused(agent) -> None:
    _, plaintext = api_token_create(user=agent, name="zapier", now=NOW)
    altered = plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B")
    with pytest.raises(TokenRefused, match="invalid API token"):
        api_token_authenticate(plaintext=altered, now=NOW)


def test_a_revoked_token_is_refused(agent) -> None:
    token, plaintext = api_token_create(user=agent, name="zapier", now=NOW)
    revoked = api_token_revoke(prefix=token.prefix, now=NOW)
    assert revoked.revoked_at == NOW
    with pytest.raises(TokenRefused, match="revoked"):
        api_token_authenticate(plaintext=plaintext, now=NOW)


def test_a_deactivated_users_token_is_refused(agent) -> None:
    _, plaintext = api_token_create(user=agent, name="zapier", now=NOW)
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    with pytest.raises(TokenRefused, match="deactivated"):
        api_token_authenticate(plaintext=plaintext, now=NOW)


@pytest.mark.parametrize(
    ("name", "message"), [("  ", "needs a name"), ("x" * 101, "at most 100 characters")]
)
def test_a_token_needs_a_sensible_name(agent, name, message) -> None:
    with pytest.raises(ApiTokenError, match=message):
        api_token_create(user=agent, name=name, now=NOW)
    assert not ApiToken.objects.exists()


def test_a_deactivated_user_gets_no_token(agent) -> None:
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    with pytest.raises(ApiTokenError, match="deactivated"):
        api_token_create(user=agent, name="zapier", now=NOW)


def test_revoking_an_unknown_or_already_revoked_prefix_says_so(agent) -> None:
    token, _ = api_token_create(user=agent, name="zapier", now=NOW)
    api_token_revoke(prefix=token.prefix, now=NOW)
    with pytest.raises(ApiTokenError, match="no live token with prefix"):
        api_token_revoke(prefix=token.prefix, now=NOW)
    with pytest.raises(ApiTokenError, match="no live token with prefix 'opr_nope'"):
        api_token_revoke(prefix="opr_nope", now=NOW)
