"""`operant tokens create|list|revoke`."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from operant.api.models import ApiToken
from operant.api.services import api_token_authenticate, token_hash

pytestmark = pytest.mark.django_db

OPERANT = Path(sys.executable).with_name("operant")


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_the_plaintext_once_and_only_its_hash_is_kept(agent) -> None:
    out, err = run("tokens", "create", "--email", "Agent@Operant.test", "--name", "zapier")
    plaintext = out.strip()
    assert "\n" not in plaintext
    assert plaintext.startswith("opr_")
    assert "cannot be shown again" in err
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.key_hash) == (agent, "zapier", token_hash(plaintext))
    assert api_token_authenticate(plaintext=plaintext, now=timezone.now()) == token


def test_a_client_user_may_have_a_token_too(alice) -> None:
    out, _ = run("tokens", "create", "--email", alice.email, "--name", "portal script")
    assert ApiToken.objects.get().user == alice
    assert out.startswith("opr_")


def test_an_unknown_email_is_one_clear_error(agent) -> None:
    with pytest.raises(CommandError, match=r"no user with email 'nobody@operant\.test'"):
        run("tokens", "create", "--email", "nobody@operant.test", "--name", "zapier")
    assert not ApiToken.objects.exists()


def test_a_blank_name_is_refused(agent) -> None:
    with pytest.raises(CommandError, match="needs a name"):
        run("tokens", "create", "--email", agent.email, "--name", " ")


def test_list_shows_prefixes_never_secrets_and_revoke_ends_a_token(agent, alice) -> None:
    secret, _ = run("tokens", "create", "--email", agent.email, "--name", "zapier")
    run("tokens", "create", "--email", alice.email, "--name", "portal script")
    prefix = secret.strip()[:12]
    listing, _ = run("tokens", "list")
    assert prefix in listing
    assert secret.strip() not in listing
    assert len(listing.strip().splitlines()) == 2
    only_agent, _ = run("tokens", "list", "--email", agent.email)
    assert "zapier" in only_agent
    assert "portal script" not in only_agent

    out, _ = run("tokens", "revoke", prefix)
    assert out.strip() == f"revoked {prefix} (zapier) of {agent.email}"
    assert "revoked" in run("tokens", "list", "--email", agent.email)[0]
    with pytest.raises(CommandError, match="no live token"):
        run("tokens", "revoke", prefix)


def test_the_installed_command_fails_in_one_line_without_a_traceback(tmp_path) -> None:
    env = {**os.environ, "OPERANT_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    migrate = subprocess.run(
        [OPERANT, "migrate", "--skip-checks", "-v0"], env=env, capture_output=True, text=True
    )
    assert migrate.returncode == 0, migrate.stderr
    result = subprocess.run(
        [OPERANT, "tokens", "create", "--email", "ghost@operant.test", "--name", "x"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "no user with email 'ghost@operant.test'" in lines[0]
