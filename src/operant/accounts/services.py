"""Accounts workflows: creating clients, contacts and logins, and resolving who sent a message.

Every function is keyword-only and raises an ``AccountsError`` (a ``UserError``) with a message
that says what to fix; nothing is written unless everything is valid.
"""

from __future__ import annotations

import email.utils
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone as dj_timezone
from django.utils.text import slugify

from operant.accounts.errors import (
    AlreadyInvited,
    DuplicateDomain,
    DuplicateEmail,
    InvalidDomain,
    InvalidEmail,
    InvalidName,
    InvalidPassword,
    InvalidRole,
    InvalidTimezone,
    UnknownPackage,
)
from operant.accounts.models import Client, ClientDomain, Contact, ServicePackage, User
from operant.accounts.validators import is_valid_domain, is_valid_timezone
from operant.core.limits import check_lengths

_SLUG_MAX = 70  # leaves room for a "-NN" suffix inside the 80-character column


def normalize_email(raw: str) -> str:
    """The stored form of an address: trimmed and lower-cased, or ``InvalidEmail``."""
    address = (raw or "").strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        raise InvalidEmail(f"{raw!r} is not a valid email address") from None
    # Every column that holds an address (contacts, billing, logins) has this length.
    check_lengths(Contact, InvalidEmail, what="email address", email=address)
    return address


def normalize_domain(raw: str) -> str:
    """The stored form of a sender domain: lower-case ASCII (IDNA), no leading @ or final dot."""
    domain = (raw or "").strip().lower().lstrip("@").rstrip(".")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidDomain(f"{raw!r} is not a valid domain name") from None
    if not is_valid_domain(domain):
        raise InvalidDomain(f"{raw!r} is not a valid domain name (for example example.com)")
    return domain


def _check_timezone(name: str) -> str:
    name = (name or "").strip()
    if not is_valid_timezone(name):
        raise InvalidTimezone(
            f"{name!r} is not an IANA time zone (for example America/New_York or Europe/London)"
        )
    return name


def _package(key: str) -> ServicePackage:
    try:
        return ServicePackage.objects.get(key=key)
    except ServicePackage.DoesNotExist:
        known = ", ".join(ServicePackage.objects.values_list("key", flat=True)) or "none defined"
        raise UnknownPackage(f"unknown package {key!r}; known packages: {known}") from None


def _unique_slug(name: str) -> str:
    base = slugify(name)[:_SLUG_MAX].strip("-") or "client"
    slug, n = base, 2
    while Client.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _new_emails(raws: Iterable[str]) -> list[str]:
    """Normalized addresses, refusing repeats and addresses already held by any contact."""
    addresses: list[str] = []
    for raw in raws:
        address = normalize_email(raw)
        if address in addresses:
            raise DuplicateEmail(f"{address} is given twice")
        addresses.append(address)
    taken = Contact.objects.filter(email__in=addresses).select_related("client").first()
    if taken:
        raise DuplicateEmail(f"{taken.email} is already a contact of {taken.client.name}")
    return addresses


def _new_domains(raws: Iterable[str]) -> list[str]:
    domains: list[str] = []
    for raw in raws:
        domain = normalize_domain(raw)
        if domain in domains:
            raise DuplicateDomain(f"{domain} is given twice")
        domains.append(domain)
    taken = ClientDomain.objects.filter(domain__in=domains).select_related("client").first()
    if taken:
        raise DuplicateDomain(f"{taken.domain} already belongs to {taken.client.name}")
    return domains


def client_create(
    *,
    name: str,
    package_key: str,
    timezone: str = "America/New_York",
    emails: Iterable[str] = (),
    domains: Iterable[str] = (),
    billing_email: str | None = None,
) -> Client:
    """Create a client with its contacts and sender domains.

    1. Validate everything first (name, time zone, package, addresses, domains), so a bad
       argument writes nothing.
    2. The slug comes from the name, with -2, -3... appended when taken.
    3. The billing address defaults to the first contact's; the contact with the billing
       address is marked ``is_billing``.
    """
    name = (name or "").strip()
    if not name:
        raise InvalidName("a client needs a name")
    check_lengths(Client, InvalidName, name=name)
    zone = _check_timezone(timezone)
    package = _package(package_key)
    addresses = _new_emails(emails)
    owned_domains = _new_domains(domains)
    billing = normalize_email(billing_email) if billing_email else (addresses[:1] or [""])[0]

    with transaction.atomic():
        client = Client.objects.create(
            slug=_unique_slug(name),
            name=name,
            timezone=zone,
            package=package,
            billing_email=billing,
            standing_changed_at=dj_timezone.now(),
        )
        Contact.objects.bulk_create(
            Contact(client=client, email=address, is_billing=address == billing)
            for address in addresses
        )
        ClientDomain.objects.bulk_create(
            ClientDomain(client=client, domain=domain) for domain in owned_domains
        )
    return client


def contact_add(
    *, client: Client, email: str, name: str = "", phone: str = "", is_billing: bool = False
) -> Contact:
    """Add a person at ``client``; an address belongs to at most one contact of any client."""
    check_lengths(Contact, InvalidName, name=name.strip(), phone=phone.strip())
    (address,) = _new_emails([email])
    return Contact.objects.create(
        client=client, email=address, name=name.strip(), phone=phone.strip(), is_billing=is_billing
    )


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidPassword("password rejected: " + " ".join(exc.messages)) from None


def _check_email_free_for_login(address: str) -> None:
    # The address is the login's username too, a shorter column than the address's own.
    check_lengths(User, InvalidEmail, what="sign-in address", username=address)
    if User.objects.get_by_email(address):
        raise DuplicateEmail(f"{address} already has a login")


def _split_name(name: str) -> tuple[str, str]:
    first, _, last = name.strip().partition(" ")
    return first[:150], last.strip()[:150]


@transaction.atomic
def contact_invite_user(*, contact: Contact, password: str | None = None) -> User:
    """Give a contact a portal login (role ``client``) and return it.

    Without a password the login is created with an unusable one: the contact sets it through
    the password-reset email, so no one ever has to send a password around.
    """
    if contact.user_id:
        raise AlreadyInvited(f"{contact.email} already has a portal login")
    _check_email_free_for_login(contact.email)
    first, last = _split_name(contact.name)
    user = User(
        username=contact.email,
        email=contact.email,
        first_name=first,
        last_name=last,
        role=User.Role.CLIENT,
    )
    if password is None:
        user.set_unusable_password()
    else:
        _check_password(password, user)
        user.set_password(password)
    user.save()
    contact.user = user
    contact.save(update_fields=["user"])
    return user


def agent_create(*, email: str, name: str, password: str, role: str) -> User:
    """Create an Operant staff login. Admins also get Django admin access (staff, superuser)."""
    if role not in User.STAFF_ROLES:
        staff = ", ".join(sorted(User.STAFF_ROLES))
        raise InvalidRole(f"unknown staff role {role!r}; choose one of: {staff}")
    address = normalize_email(email)
    _check_email_free_for_login(address)
    first, last = _split_name(name)
    is_admin = role == User.Role.ADMIN
    user = User(
        username=address,
        email=address,
        first_name=first,
        last_name=last,
        role=role,
        is_staff=is_admin,
        is_superuser=is_admin,
    )
    _check_password(password, user)
    user.set_password(password)
    user.save()
    return user


@dataclass(frozen=True)
class SenderMatch:
    """Who an incoming address belongs to. ``via`` says how it was matched (None: unknown)."""

    contact: Contact | None
    client: Client | None
    via: Literal["contact", "domain"] | None

    @property
    def matched(self) -> bool:
        return self.client is not None


NO_MATCH = SenderMatch(contact=None, client=None, via=None)


# A plain addr-spec (dot-atoms around one @): parseaddr returns exactly such a string as it is,
# so it needs no parsing. Anything else (display names, quotes, comments) goes to parseaddr.
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
)


@functools.lru_cache(maxsize=4096)
def sender_parts(address: str) -> tuple[str, str] | None:
    """(address, domain), lower-cased, of a bare or ``Name <addr>`` sender; None if it has no
    usable address. The one normalisation every sender lookup uses."""
    if _PLAIN_ADDRESS.fullmatch(address):
        parsed = address.lower()
    else:
        parsed = email.utils.parseaddr(address)[1].strip().lower()
    local, at, domain = parsed.rpartition("@")
    if not at or not local or not domain:
        return None
    return parsed, domain


def sender_resolve(*, address: str) -> SenderMatch:
    """Find the client an address (bare or ``Name <addr>``) writes for.

    1. A contact with exactly this address (case-insensitive) wins, even when the domain
       belongs to another client: a person is more specific than a domain.
    2. Otherwise the client that lists the address's domain as a sender domain.
    3. Subdomains do not inherit: mail from ``ops.example.com`` matches only if that domain is
       listed itself. A parent domain is often shared (hosting, franchises), and a wrong match
       would show one client's ticket to another.
    """
    parts = sender_parts(address or "")
    if parts is None:
        return NO_MATCH
    parsed, domain = parts
    contact = Contact.objects.select_related("client__package").filter(email=parsed).first()
    if contact:
        return SenderMatch(contact=contact, client=contact.client, via="contact")
    owned = ClientDomain.objects.select_related("client__package").filter(domain=domain).first()
    if owned:
        return SenderMatch(contact=None, client=owned.client, via="domain")
    return NO_MATCH
