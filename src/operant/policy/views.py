"""The public policy page: ``current_policy()`` rendered, nothing decided here."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import condition, require_safe

from operant.policy.loader import current_policy
from operant.policy.render import Format, render_policy
from operant.policy.schema import PolicyError

log = logging.getLogger(__name__)

UNAVAILABLE = "The policy page is temporarily unavailable. Please try again shortly."


def _etag(request: HttpRequest, *args: object, **kwargs: object) -> str | None:
    # The page is a pure function of the file, so its hash is a perfect validator.
    try:
        return current_policy().sha256
    except PolicyError:
        return None


def _page(fmt: Format, content_type: str) -> HttpResponse:
    try:
        policy = current_policy()
    except PolicyError as exc:
        # The operator must see why (logs, `operant policy check`); clients must not see paths.
        log.error("policy page unavailable: %s", exc)
        return HttpResponse(UNAVAILABLE, status=503, content_type="text/plain; charset=utf-8")
    return HttpResponse(render_policy(policy, fmt), content_type=content_type)


@require_safe
@condition(etag_func=_etag)
def policy_page(request: HttpRequest) -> HttpResponse:
    """The published policy as HTML. Public: clients read it before they have a login."""
    return _page("html", "text/html; charset=utf-8")


@require_safe
@condition(etag_func=_etag)
def policy_markdown(request: HttpRequest) -> HttpResponse:
    """The same page as Markdown, for publishing on another site."""
    return _page("md", "text/markdown; charset=utf-8")
