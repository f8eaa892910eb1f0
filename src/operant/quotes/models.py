"""Quotes for out-of-scope work (clause 02): built by an agent, accepted or declined by the
client through a signed single-use link, or expired by the worker."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum

# A quote for minutes beyond the monthly allowance (clause 01) rather than a clause 02 category.
OVERDRAFT = "allowance_overdraft"
REF_PREFIX = "Q"
TITLE_MAX = 200
CENT = Decimal("0.01")


class QuoteState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired"


class DecidedVia(models.TextChoices):
    LINK = "link", "the client's signed link"
    REPLY = "reply", "the client's email reply, confirmed by an agent"
    AGENT = "agent", "an agent, on the client's word"
    PORTAL = "portal", "the client, signed in to the portal"


# Which state may follow which. Accepted and declined are final: a changed offer is a new quote.
# Sent or expired quotes go back to draft to be revised and sent again (with a fresh link nonce).
TRANSITIONS: dict[str, frozenset[str]] = {
    QuoteState.DRAFT: frozenset({QuoteState.SENT}),
    QuoteState.SENT: frozenset(
        {QuoteState.ACCEPTED, QuoteState.DECLINED, QuoteState.EXPIRED, QuoteState.DRAFT}
    ),
    QuoteState.EXPIRED: frozenset({QuoteState.DRAFT}),
    QuoteState.ACCEPTED: frozenset(),
    QuoteState.DECLINED: frozenset(),
}


class QuoteQuerySet(models.QuerySet["Quote"]):
    def search(self, *, state: str = "", client: str = "", awaiting: bool = False) -> QuoteQuerySet:
        """Quotes in ``state`` for the client with slug ``client``; blank arguments do not
        filter. ``awaiting``: only those with a reply acceptance for an agent to confirm."""
        result = self
        if state:
            result = result.filter(state=state)
        if client:
            result = result.filter(client__slug=client)
        if awaiting:
            result = result.filter(state=QuoteState.SENT, reply_acceptance_at__isnull=False)
        return result


class Quote(models.Model):
    client = models.ForeignKey("accounts.Client", on_delete=models.PROTECT, related_name="quotes")
    ticket = models.ForeignKey(
        "desk.Ticket", null=True, blank=True, on_delete=models.PROTECT, related_name="quotes"
    )
    title = models.CharField(max_length=TITLE_MAX)
    # The clause 02 category that puts the work out of scope (or "allowance_overdraft").
    scope_category = models.CharField(max_length=64)
    clause = models.CharField(max_length=8, default="02")
    currency = models.CharField(max_length=3)
    state = models.CharField(max_length=16, choices=QuoteState.choices, default=QuoteState.DRAFT)
    validity_days = models.PositiveIntegerField()
    sent_at = models.DateTimeField(null=True, blank=True)
    # Who the last send went to (the ticket's requester or the client's billing address).
    sent_to = models.EmailField(blank=True)
    # How many times it was sent; each send is a revision with its own PDF file.
    revision = models.PositiveIntegerField(default=0)
    valid_until = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_via = models.CharField(max_length=16, choices=DecidedVia.choices, blank=True)
    # A reply saying yes waits here for an agent to confirm it.
    reply_acceptance_at = models.DateTimeField(null=True, blank=True)
    # When the worker must expire it; set while sent.
    expires_due_at = models.DateTimeField(null=True, blank=True)
    # Bumped on every send: links signed for an older nonce stop working.
    link_nonce = models.CharField(max_length=32, blank=True)
    policy_version = models.ForeignKey(
        "policy.PolicyVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = QuoteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["expires_due_at"],
                name="quotes_expiry_idx",
                condition=Q(expires_due_at__isnull=False),
            ),
            models.Index(fields=["client", "state"], name="quotes_client_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def ref(self) -> str:
        return quote_ref(self.pk)

    @property
    def is_draft(self) -> bool:
        return self.state == QuoteState.DRAFT

    @property
    def is_open(self) -> bool:
        """Sent and not yet decided: the client may still answer."""
        return self.state == QuoteState.SENT

    @property
    def is_final(self) -> bool:
        return not TRANSITIONS[self.state]

    @property
    def awaiting_confirmation(self) -> bool:
        return self.is_open and self.reply_acceptance_at is not None

    def time_refusal(self, *, client_id: int) -> str | None:
        """Why quoted time of client ``client_id`` may not be logged under this quote (None:
        it may). Only an accepted quote of the same client takes time. Read afresh: this copy
        may predate a decision (or a reopening) of the quote."""
        owner, state = Quote.objects.values_list("client_id", "state").get(pk=self.pk)
        if owner != client_id:
            return f"{self.ref} is a quote for another client"
        if state != QuoteState.ACCEPTED:
            return f"{self.ref} is {state}, not accepted: the client must accept it"
        return None

    def may_become(self, state: str) -> bool:
        return state in TRANSITIONS.get(self.state, frozenset())

    def total(self) -> Decimal:
        total = self.lines.aggregate(total=Sum("amount"))["total"]
        return (total or Decimal(0)).quantize(CENT)

    def estimated_hours(self) -> Decimal:
        hours = self.lines.filter(kind=LineKind.HOURS).aggregate(hours=Sum("hours"))["hours"]
        return (hours or Decimal(0)).quantize(CENT)

    def pdf_name(self) -> str:
        """The file of the current revision; older revisions keep theirs, so an email still in
        the outbox attaches the PDF it was written about."""
        if self.revision <= 1:
            return f"{self.ref}.pdf"
        return f"{self.ref}-r{self.revision}.pdf"


def quote_ref(pk: int | None) -> str:
    return f"{REF_PREFIX}-{pk}"


def lines_total(lines: Iterable[QuoteLine]) -> Decimal:
    """``Quote.total`` of lines already in hand (no query)."""
    return sum((line.amount for line in lines), Decimal(0)).quantize(CENT)


class LineKind(models.TextChoices):
    HOURS = "hours", "Hours at a rate"
    FIXED = "fixed", "Fixed price"


class QuoteLine(models.Model):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=8, choices=LineKind.choices)
    description = models.CharField(max_length=500)
    hours = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    rate = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            # The services refuse these with a message; the database refuses them regardless.
            models.CheckConstraint(condition=Q(amount__gte=0), name="quotes_line_amount_gte_0"),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | Q(hours__gt=0), name="quotes_line_hours_gt_0"
            ),
            models.CheckConstraint(
                condition=Q(rate__isnull=True) | Q(rate__gte=0), name="quotes_line_rate_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return self.description


class QuoteEvent(models.Model):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=32)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["quote", "at"], name="quotes_event_idx")]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"
