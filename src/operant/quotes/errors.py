"""What the quote workflow refuses, and how loudly."""

from __future__ import annotations

from operant.core.errors import UserError


class QuoteError(UserError):
    """A quote action that cannot be done as asked; the message says why and what to do."""


class QuoteNotFound(LookupError):
    """No quote by that reference."""


class LinkRefused(UserError):
    """A signed accept/decline link that may not be used. ``status`` is the HTTP answer:
    400 forged or malformed, 403 for another client, 410 used up, replaced or expired."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status
