"""Project-wide fixtures: the three-user base case and the browser.

The base case (architecture guide 4.10): ``agent`` is Operant staff; ``alice`` is a portal user
for a contact of ``client_a``; ``charlie`` is a portal user for a contact of another client,
``client_c``. Every view test uses the outsider too, to prove they are refused.

``alice`` and ``charlie`` are *users*; their contacts are ``alice.contact`` and
``charlie.contact`` (also the ``alice_contact`` / ``charlie_contact`` fixtures).

Browser tests are marked ``@pytest.mark.browser`` and use ``page`` (or ``phone_page``) with
pytest-django's ``live_server``. They are skipped only when Chromium is missing and
``OPERANT_REQUIRE_BROWSER`` is unset; CI sets it so a missing browser fails loudly.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.test import Client as DjangoClient
from django.test import override_settings
from hypothesis import settings as hypothesis_settings

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from operant.accounts.models import Client, Contact, User

# The pinned clock every test starts at (tests/clock.py); the real Dovecot, the delivering test
# MTA and their fixtures (tests/dovecot.py).
pytest_plugins = ["tests.clock", "tests.dovecot"]

PASSWORD = "correct-horse-battery-staple"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE_VIEWPORT = {"width": 390, "height": 844}


# Hypothesis fails an example that takes longer than 200 ms by default: a timed assertion, which
# a shared, loaded machine breaks at random. The suite never times anything.
hypothesis_settings.register_profile("operant", deadline=None)
hypothesis_settings.load_profile("operant")


def pytest_configure(config: pytest.Config) -> None:
    # whitenoise warns that STATIC_ROOT does not exist; only `collectstatic` fills it, and tests
    # serve static files through the finders (WHITENOISE_USE_FINDERS).
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    # The production hasher is slow on purpose; tests create many logins and gain nothing
    # from that cost.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


# ---- the three-user base case ----------------------------------------------------------------


@pytest.fixture
def password() -> str:
    """The password of every fixture login (agent, alice, charlie)."""
    return PASSWORD


@pytest.fixture
def policy_terms(tmp_path: Path, settings: Any) -> Callable[..., Path]:
    """``policy_terms(carry_over="true", minutes_per_month="60")``: the shipped policy with
    terms replaced (each key must occur once), in force for the test."""

    def write(**terms: str) -> Path:
        text = Path(django_settings.SHIPPED_POLICY).read_text(encoding="utf-8")
        for key, value in terms.items():
            lines = [line for line in text.splitlines() if line.startswith(f"{key} = ")]
            assert len(lines) == 1, key
            text = text.replace(lines[0], f"{key} = {value}")
        path = tmp_path / "operant.toml"
        path.write_text(text, encoding="utf-8")
        settings.OPERANT_POLICY = str(path)
        return path

    return write


@pytest.fixture
def catalog(db: None) -> None:
    """The standard packages and integrations.

    Migration 0002 seeds them, but a transactional test (live_server) flushes every table when
    it ends, so a later test would otherwise find none.
    """
    from operant.accounts.catalog import catalog_seed
    from operant.accounts.models import Integration, ServicePackage

    if not ServicePackage.objects.exists():
        catalog_seed(Integration, ServicePackage)


@pytest.fixture
def agent(db: None) -> User:
    from operant.accounts.services import agent_create

    return agent_create(
        email="agent@operant.test", name="Avery Agent", password=PASSWORD, role="agent"
    )


@pytest.fixture
def client_a(catalog: None) -> Client:
    from operant.accounts.services import client_create

    return client_create(
        name="Acme Dental",
        package_key="growth",
        timezone="America/New_York",
        emails=["alice@acme-dental.example"],
        domains=["acme-dental.example"],
    )


@pytest.fixture
def client_c(catalog: None) -> Client:
    from operant.accounts.services import client_create

    return client_create(
        name="Cobalt Gym",
        package_key="starter",
        timezone="Europe/London",
        emails=["charlie@cobalt-gym.example"],
        domains=["cobalt-gym.example"],
    )


def _portal_user(contact: Contact, name: str) -> User:
    from operant.accounts.services import contact_invite_user

    contact.name = name
    contact.save(update_fields=["name"])
    return contact_invite_user(contact=contact, password=PASSWORD)


@pytest.fixture
def alice(client_a: Client) -> User:
    return _portal_user(client_a.contacts.get(email="alice@acme-dental.example"), "Alice Adams")


@pytest.fixture
def charlie(client_c: Client) -> User:
    return _portal_user(client_c.contacts.get(email="charlie@cobalt-gym.example"), "Charlie Cole")


@pytest.fixture
def alice_contact(alice: User) -> Contact:
    return alice.contact


@pytest.fixture
def charlie_contact(charlie: User) -> Contact:
    return charlie.contact


def _logged_in(user: User) -> DjangoClient:
    http = DjangoClient()
    http.force_login(user)
    return http


@pytest.fixture
def agent_client(agent: User) -> DjangoClient:
    return _logged_in(agent)


@pytest.fixture
def alice_client(alice: User) -> DjangoClient:
    return _logged_in(alice)


@pytest.fixture
def charlie_client(charlie: User) -> DjangoClient:
    return _logged_in(charlie)


# ---- the browser -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Debian Chromium for the whole run, driven by Playwright's sync API."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("OPERANT_REQUIRE_BROWSER"):
            pytest.fail(f"OPERANT_REQUIRE_BROWSER is set but {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API keeps an event loop in this thread; Django would then refuse
        # every ORM call the test and its fixtures make, though they are plain sync code.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield launched
            launched.close()


def _new_page(browser: Browser, base_url: str, **context_args: Any) -> Iterator[Page]:
    context = browser.new_context(base_url=base_url, **context_args)
    # Fail a missing element within seconds rather than Playwright's default half-minute.
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def page(browser: Browser, live_server: Any) -> Iterator[Page]:
    """A fresh browser context (no cookies) at laptop size, with relative URLs on live_server."""
    yield from _new_page(browser, live_server.url, viewport={"width": 1280, "height": 800})


@pytest.fixture
def phone_page(browser: Browser, live_server: Any) -> Iterator[Page]:
    """A fresh browser context at a phone's width (390 CSS pixels), with touch."""
    yield from _new_page(browser, live_server.url, viewport=PHONE_VIEWPORT, has_touch=True)


@pytest.fixture
def browser_login() -> Callable[[Page, str], None]:
    """Sign a page in through the real login form: ``browser_login(page, email)``."""

    def login(page: Page, email: str, password: str = PASSWORD) -> None:
        page.goto("/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        # A successful sign-in leaves /login; a failed one stays and the wait fails the test.
        page.wait_for_url(lambda url: urlsplit(url).path != "/login")

    return login
