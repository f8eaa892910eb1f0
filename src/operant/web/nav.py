"""The navigation of the console and the portal.

To add a page to a menu, add one ``NavItem`` here; the header template renders these lists.
Only link pages that exist: an empty "coming soon" page is worse than no link.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from operant.accounts.models import User


@dataclass(frozen=True)
class NavItem:
    label: str
    target: str  # a URL name, or a path starting with "/"
    staff_only: bool = False  # needs Django admin access (is_staff)
    exact: bool = False  # active only on the target itself, not on pages below it

    def href(self) -> str | None:
        if self.target.startswith("/"):
            return self.target
        try:
            return reverse(self.target)
        except NoReverseMatch:
            return None  # the app behind this link is not installed here


CONSOLE_NAV = [
    NavItem("Dashboard", "console:dashboard", exact=True),
    NavItem("Inbox", "console:inbox"),
    NavItem("Clients", "console:clients"),
    NavItem("Quotes", "console:quotes"),
    NavItem("Monitoring", "console:monitoring"),
    NavItem("Vendors", "console:vendor_incidents"),
    NavItem("Maintenance", "console:maintenance"),
    NavItem("Policy", "/policy"),
    NavItem("My alerts", "console:alert_channels"),
    NavItem("Admin", "admin:index", staff_only=True),
]

PORTAL_NAV = [
    NavItem("Home", "portal:home", exact=True),
    NavItem("Statements", "portal:statements"),
    NavItem("Status", "portal:status"),
    NavItem("Policy", "/policy"),
]


@dataclass(frozen=True)
class NavLink:
    label: str
    href: str
    active: bool


def nav_links(user: User, path: str) -> list[NavLink]:
    """The menu for this user on this page (empty for visitors who are not signed in)."""
    if not user.is_authenticated:
        return []
    if user.is_agent:
        items = CONSOLE_NAV
    elif user.is_client_user:
        items = PORTAL_NAV
    else:
        return []
    links = []
    for item in items:
        href = item.href()
        if href is None or (item.staff_only and not user.is_staff):
            continue
        active = path == href if item.exact else path.startswith(href)
        links.append(NavLink(item.label, href, active))
    return links
