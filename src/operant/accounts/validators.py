"""Field validators shared by the models (admin forms) and the services (CLI, API)."""

from __future__ import annotations

import re
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.core.exceptions import ValidationError

# A registrable host name: labels of letters, digits and inner hyphens, at least one dot, and a
# top-level label that is not all digits (so an IP address is not mistaken for a domain).
_DOMAIN_RE = re.compile(
    r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$"
)


@cache
def _known_zones() -> frozenset[str]:
    # available_timezones() walks tzdata on every call (tens of milliseconds); the set is fixed
    # for the life of the process.
    return frozenset(available_timezones())


def is_valid_timezone(name: str) -> bool:
    """True for an IANA zone name such as ``Europe/London``.

    ``ZoneInfo`` alone also accepts file-system paths and odd legacy names, so the name must
    also be one of the zones tzdata ships.
    """
    if not name or name not in _known_zones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def validate_timezone(value: str) -> None:
    if not is_valid_timezone(value):
        raise ValidationError(
            "%(value)s is not an IANA time zone (for example America/New_York).",
            params={"value": value},
            code="invalid_timezone",
        )


def is_valid_domain(name: str) -> bool:
    return bool(_DOMAIN_RE.match(name))


def validate_domain(value: str) -> None:
    if not is_valid_domain(value):
        raise ValidationError(
            "%(value)s is not a domain name (for example example.com).",
            params={"value": value},
            code="invalid_domain",
        )
