"""Who Operant serves and what they bought: users, clients, contacts, packages, integrations.

Workflows that touch several rows (creating a client with its contacts, inviting a portal user)
live in ``services.py``; this module holds the tables and the rules that read one row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.utils import timezone

from operant.accounts.validators import validate_domain, validate_timezone


class OperantUserManager(UserManager["User"]):
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra: Any
    ) -> User:
        # `createsuperuser` knows nothing of roles; a superuser is Operant staff, not a client.
        extra.setdefault("role", User.Role.ADMIN)
        return super().create_superuser(username, email, password, **extra)

    def get_by_email(self, email: str) -> User | None:
        """The user who signs in with this address, whatever its case."""
        return self.filter(email__iexact=email.strip()).first()


class User(AbstractUser):
    """Everyone who signs in: Operant staff (agents, operators, admins) and client contacts.

    People sign in with their email address. Services set ``username`` to the lower-cased
    address; the login form also maps an address to whatever username an admin gave a user.
    """

    class Role(models.TextChoices):
        AGENT = "agent", "Agent"
        OPERATOR = "operator", "Operator on duty"
        ADMIN = "admin", "Administrator"
        CLIENT = "client", "Client contact"

    STAFF_ROLES = frozenset({Role.AGENT, Role.OPERATOR, Role.ADMIN})

    # Least privilege by default: a user created without a role sees only the portal, and the
    # portal shows nothing without a linked contact.
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CLIENT)

    objects = OperantUserManager()

    class Meta:
        constraints = [
            # Blank emails are allowed (createsuperuser can skip it), so only non-blank ones
            # must be unique, compared without case: Alice@X and alice@x are one mailbox.
            models.UniqueConstraint(
                Lower("email"), condition=~Q(email=""), name="accounts_user_email_ci_unique"
            ),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    @property
    def is_agent(self) -> bool:
        """Operant staff: may use the agent console."""
        return self.is_active and self.role in self.STAFF_ROLES

    @property
    def is_client_user(self) -> bool:
        """A client contact's portal login."""
        return self.is_active and self.role == self.Role.CLIENT

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email or self.username


class Integration(models.Model):
    """One automation channel Operant builds and hosts, e.g. Twilio SMS."""

    key = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    # Matches a policy `[[vendors]].key` (twilio, meta): a vendor incident reaches the clients
    # whose package includes an integration of that vendor. Blank: no third-party vendor.
    vendor_key = models.SlugField(max_length=64, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServicePackage(models.Model):
    """A retainer tier. Clause 05: obligations cover only the package's integrations."""

    key = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    monthly_retainer = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    integrations = models.ManyToManyField(Integration, related_name="packages", blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["monthly_retainer", "key"]

    def __str__(self) -> str:
        return self.name

    def integration_keys(self) -> list[str]:
        return sorted(integration.key for integration in self.integrations.all())

    @staticmethod
    def coverage_of(package_ids: Iterable[int]) -> dict[int, PackageCoverage]:
        """The coverage of each of these packages: two queries however many packages (the
        catalog, and which of it the packages include). One client is a batch of one."""
        wanted = set(package_ids)
        if not wanted:
            return {}
        catalog = tuple(Integration.objects.all())  # in the catalog's own order
        included: dict[int, set[int]] = {pk: set() for pk in wanted}
        links = ServicePackage.integrations.through.objects.filter(servicepackage_id__in=wanted)
        for package_id, integration_id in links.values_list("servicepackage_id", "integration_id"):
            included[package_id].add(integration_id)
        return {pk: PackageCoverage(catalog, frozenset(ids)) for pk, ids in included.items()}


@dataclass(frozen=True)
class PackageCoverage:
    """Clause 05: support covers only the integrations in the client's active service package.

    The one place that rule is decided: the classifier's context, the client pages and any
    later check (vendor incidents, intake) ask an instance of this, made by
    ``ServicePackage.coverage_of`` for many packages or ``Client.coverage`` for one.
    """

    catalog: tuple[Integration, ...]  # every integration the agency knows, in catalog order
    included_ids: frozenset[int]  # those the package includes

    def includes(self, integration: Integration) -> bool:
        return integration.pk in self.included_ids

    def includes_key(self, key: str) -> bool:
        return any(i.key == key for i in self.included)

    @property
    def included(self) -> tuple[Integration, ...]:
        return tuple(i for i in self.catalog if self.includes(i))

    def marked(self) -> list[tuple[Integration, bool]]:
        """Every catalog integration with whether the package includes it."""
        return [(i, self.includes(i)) for i in self.catalog]


class ClientQuerySet(models.QuerySet["Client"]):
    def search(self, *, text: str = "", package: str = "", standing: str = "") -> ClientQuerySet:
        """Clients whose name or slug contains ``text``, optionally of one package or standing.

        Empty arguments do not filter, so a blank search form lists everyone.
        """
        result = self
        text = text.strip()
        if text:
            result = result.filter(Q(name__icontains=text) | Q(slug__icontains=text))
        if package:
            result = result.filter(package__key=package)
        if standing:
            result = result.filter(standing=standing)
        return result

    def count_by_standing(self) -> dict[str, int]:
        """Every standing, including those with no clients (a zero is worth showing)."""
        counts = dict(self.values_list("standing").annotate(n=Count("id")).order_by())
        return {value: counts.get(value, 0) for value in Client.Standing.values}

    def count_by_package(self) -> list[tuple[ServicePackage, int]]:
        packages = ServicePackage.objects.annotate(
            n=Count("clients", filter=Q(clients__in=self))
        ).order_by("monthly_retainer", "key")
        return [(package, package.n) for package in packages]


def notice_addresses_of(contact_emails: Sequence[str], billing_email: str) -> list[str]:
    """The one rule of who at a client is told of what touches every automation: each
    contact and the billing address, each once (compared without case)."""
    seen: dict[str, str] = {}
    for address in [*contact_emails, billing_email]:
        key = (address or "").strip().lower()
        if key and key not in seen:
            seen[key] = address.strip()
    return list(seen.values())


class Client(models.Model):
    """A business on a monthly retainer."""

    class Standing(models.TextChoices):
        # Clause 06: support is suspended for past-due balances; reinstatement carries a fee.
        CURRENT = "current", "Current"
        PAST_DUE = "past_due", "Past due"
        SUSPENDED = "suspended", "Suspended"
        REINSTATED = "reinstated", "Reinstated"

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    timezone = models.CharField(
        max_length=64, default="America/New_York", validators=[validate_timezone]
    )
    package = models.ForeignKey(ServicePackage, on_delete=models.PROTECT, related_name="clients")
    billing_email = models.EmailField(blank=True)
    standing = models.CharField(
        max_length=16, choices=Standing.choices, default=Standing.CURRENT, db_index=True
    )
    standing_changed_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def coverage(self) -> PackageCoverage:
        """Clause 05: which integrations the client's active package covers."""
        return ServicePackage.coverage_of([self.package_id])[self.package_id]

    def includes_integration(self, key: str) -> bool:
        """Clause 05: is this integration covered by the client's active package?"""
        return self.coverage().includes_key(key)

    def integration_coverage(self) -> list[tuple[Integration, bool]]:
        """Every catalog integration with whether the client's package includes it."""
        return self.coverage().marked()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local_time(self, now: dt.datetime | None = None) -> dt.datetime:
        """``now`` (default: the clock) on the client's wall clock."""
        return (now or timezone.now()).astimezone(self.zone)

    @property
    def is_in_good_standing(self) -> bool:
        return self.standing in (self.Standing.CURRENT, self.Standing.REINSTATED)

    def notice_addresses(self) -> list[str]:
        """Who is told of what touches every automation (maintenance, a vendor's outage):
        ``notice_addresses_of`` this client's contacts and billing address. Prefetch
        ``contacts`` for many (or, for thousands, feed the function from value rows)."""
        return notice_addresses_of([c.email for c in self.contacts.all()], self.billing_email)


class ClientDomain(models.Model):
    """A sender domain the client owns: mail from any address at it belongs to the client.

    Only the exact domain matches; a subdomain must be listed on its own (see
    ``services.sender_resolve``).
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True, validators=[validate_domain])

    class Meta:
        ordering = ["domain"]
        constraints = [
            # Lookups compare lower-case, so a mixed-case row would silently never match.
            models.CheckConstraint(
                condition=Q(domain=Lower("domain")), name="accounts_clientdomain_lowercase"
            ),
        ]

    def __str__(self) -> str:
        return self.domain

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.domain = self.domain.strip().lower()
        super().save(*args, **kwargs)


class Contact(models.Model):
    """A person at a client who may email support and, once invited, sign in to the portal."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts")
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    user = models.OneToOneField(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="contact"
    )
    is_billing = models.BooleanField(default=False)

    class Meta:
        ordering = ["name", "email"]
        constraints = [
            models.CheckConstraint(
                condition=Q(email=Lower("email")), name="accounts_contact_email_lowercase"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.name or self.email


class SigninFailure(models.Model):
    """A failed password sign-in, kept while it counts towards the throttle (``throttle.py``).

    Counted per account tried and per client network, so guessing is slow whether an attacker
    tries many passwords on one account or one password on many accounts.
    """

    account = models.CharField(max_length=254)
    network = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["account", "at"], name="signinfailure_account_at"),
            models.Index(fields=["network", "at"], name="signinfailure_network_at"),
            models.Index(fields=["at"], name="signinfailure_at"),
        ]

    def __str__(self) -> str:
        return f"failed sign-in as {self.account} from {self.network} at {self.at:%Y-%m-%d %H:%M}"


class SigninLinkRequest(models.Model):
    """A request for an emailed sign-in link, stored alike whether or not the address has a
    login. The worker looks the address up and queues the mail (``send_due_at`` is set until
    then), so the page's answer and the time it takes say nothing about the address. The rows
    also throttle requests per address and per network."""

    email = models.CharField(max_length=254)
    network = models.CharField(max_length=64)
    requested_at = models.DateTimeField()
    send_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["email", "requested_at"], name="signinlink_email_at"),
            models.Index(fields=["network", "requested_at"], name="signinlink_network_at"),
            models.Index(fields=["requested_at"], name="signinlink_requested_at"),
            models.Index(
                fields=["send_due_at"],
                condition=Q(send_due_at__isnull=False),
                name="signinlink_send_due",
            ),
        ]

    def __str__(self) -> str:
        return f"sign-in link for {self.email} asked at {self.requested_at:%Y-%m-%d %H:%M}"
