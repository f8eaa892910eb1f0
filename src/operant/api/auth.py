"""Bearer-token authentication for the API, and who may use which routes.

A missing, unknown or revoked token is 401 (the caller is not known); a known token of the wrong
kind of user is 403 (known, but not allowed). The role check runs in authentication, before any
lookup, so a client user's token learns nothing about which tickets exist.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError, AuthorizationError
from ninja.security import HttpBearer

from operant.api.models import ApiToken
from operant.api.services import TokenRefused, api_token_authenticate

BEARER_HINT = "send an API token as 'Authorization: Bearer <token>'"


class TokenAuth(HttpBearer):
    """Any live token, whatever its user's role."""

    def __call__(self, request: HttpRequest) -> ApiToken | None:
        # Ninja's own check answers a bare "Unauthorized" when the header is absent or of
        # another scheme; say instead what the caller should send.
        scheme, _, credentials = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != self.openapi_scheme or not credentials.strip():
            raise AuthenticationError(message=BEARER_HINT)
        return self.authenticate(request, credentials)

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        try:
            return api_token_authenticate(plaintext=token, now=timezone.now())
        except TokenRefused as exc:
            raise AuthenticationError(message=str(exc)) from exc


class AgentTokenAuth(TokenAuth):
    """Operant staff only (agent, operator, admin); a client user's token is refused."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        api_token = super().authenticate(request, token)
        if not api_token.user.is_agent:
            raise AuthorizationError(message="this API route is for Operant staff tokens")
        return api_token


def token_of(request: HttpRequest) -> ApiToken:
    """The token authentication put on the request (routes run only after it succeeded)."""
    auth: Any = getattr(request, "auth", None)
    if not isinstance(auth, ApiToken):
        raise TypeError("this route has no token auth; give its router auth=TokenAuth()")
    return auth
