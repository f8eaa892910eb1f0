"""Template tags of the web shell."""

from __future__ import annotations

from typing import Any

from django import template

from operant.web.nav import nav_links

register = template.Library()


@register.inclusion_tag("web/_nav.html", takes_context=True)
def site_nav(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None:
        return {"links": [], "user": None}
    return {"links": nav_links(user, request.path), "user": user, "request": request}


@register.inclusion_tag("web/_standing.html")
def standing_badge(client: Any) -> dict[str, Any]:
    return {"value": client.standing, "label": client.get_standing_display()}
