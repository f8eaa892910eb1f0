"""`operant tokens create|list|revoke`: API tokens from the command line."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from operant.accounts.models import User
from operant.api.services import (
    ApiTokenError,
    api_token_create,
    api_token_revoke,
    api_tokens_of,
)
from operant.core.command import OperantCommand


def _user(email: str) -> User:
    user = User.objects.get_by_email(email)
    if user is None:
        raise ApiTokenError(f"no user with email {email.strip()!r}")
    return user


class Command(OperantCommand):
    help = "Create, list and revoke API tokens."

    def add_arguments(self, parser: Any) -> None:
        actions = parser.add_subparsers(dest="action", required=True)

        create = actions.add_parser("create", help="create a token; prints it once")
        create.add_argument("--email", required=True, help="the user the token acts as")
        create.add_argument("--name", required=True, help="what the token is for")

        listing = actions.add_parser("list", help="list tokens (never their secrets)")
        listing.add_argument("--email", default=None, help="only this user's tokens")

        revoke = actions.add_parser("revoke", help="revoke a token for good")
        revoke.add_argument("prefix", help="the token's visible prefix, e.g. opr_Ab12Cd34")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        action = options["action"]
        if action == "create":
            _token, plaintext = api_token_create(
                user=_user(options["email"]), name=options["name"], now=now
            )
            # The plaintext alone on stdout, so `$(operant tokens create ...)` captures it; the
            # reminder goes to stderr.
            self.stdout.write(plaintext)
            self.stderr.write("Store this token now: it cannot be shown again.")
        elif action == "list":
            user = _user(options["email"]) if options["email"] else None
            for token in api_tokens_of(user=user):
                status = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "live"
                used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
                self.stdout.write(
                    f"{token.prefix:<14} {token.user.email:<32} {status:<18} "
                    f"used {used:<16} {token.name}"
                )
        else:
            token = api_token_revoke(prefix=options["prefix"], now=now)
            self.stdout.write(f"revoked {token.prefix} ({token.name}) of {token.user.email}")
