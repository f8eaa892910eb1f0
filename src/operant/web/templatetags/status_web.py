"""Template filters of the status pages."""

from __future__ import annotations

from django import template

from operant.vendors.incidents import vendor_name
from operant.vendors.models import ComponentState

register = template.Library()

_LABELS = dict(ComponentState.choices)


@register.filter
def component_label(status: str) -> str:
    """A vendor component's status in words ("Partial outage"); a status Statuspage may add
    later is shown as it came."""
    return str(_LABELS.get(status, status.replace("_", " ").capitalize()))


@register.filter
def vendor_label(key: str) -> str:
    """A policy vendor's name ("Twilio") from its key."""
    return vendor_name(key)
