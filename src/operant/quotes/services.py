"""Quote workflows: build, price, send. Every path (console, API, portal, CLI) calls these.

Deciding a quote (accept, decline, expire, reopen, a reply saying yes) lives in
``decisions.py`` and is re-exported here, so callers import every quote service from one place.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max

from operant.policy.loader import current_policy
from operant.policy.services import policy_in_force
from operant.quotes.decisions import (
    quote_accept,
    quote_decline,
    quote_expire_due,
    quote_reopen,
    quote_reply_acceptance_dismiss,
    quote_reply_acceptance_record,
    state_refusal,
)
from operant.quotes.errors import QuoteError, QuoteNotFound
from operant.quotes.events import quote_event
from operant.quotes.mailing import quote_email_queue, quote_recipient
from operant.quotes.models import (
    CENT,
    OVERDRAFT,
    REF_PREFIX,
    TITLE_MAX,
    LineKind,
    Quote,
    QuoteLine,
    QuoteState,
    lines_total,
)
from operant.quotes.pdf import quote_pdf_write
from operant.quotes.prefill import quote_draft_defaults

if TYPE_CHECKING:
    from operant.accounts.models import Client, User
    from operant.desk.models import Ticket
    from operant.policy.schema import Policy

__all__ = [
    "quote_accept",
    "quote_by_ref",
    "quote_create",
    "quote_decline",
    "quote_expire_due",
    "quote_line_add",
    "quote_line_remove",
    "quote_reopen",
    "quote_reply_acceptance_dismiss",
    "quote_reply_acceptance_record",
    "quote_send",
    "quote_total",
    "scope_keys",
]

MAX_VALIDITY_DAYS = 365
# The columns' limits (max_digits less decimal places), checked here for a readable refusal.
MAX_HOURS = Decimal("999999.99")
MAX_RATE = Decimal("99999999.99")
MAX_AMOUNT = Decimal("9999999999.99")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_REF = re.compile(rf"^(?:{REF_PREFIX}-)?(\d+)$", re.IGNORECASE)


def scope_keys(policy: Policy) -> list[str]:
    """What a quote may be for: the clause 02 categories, and minutes beyond the allowance."""
    return [str(category.key) for category in policy.out_of_scope] + [OVERDRAFT]


def quote_by_ref(ref: str) -> Quote:
    """``Q-12`` (any case) or a bare ``12``."""
    match = _REF.match(ref.strip())
    if match is None:
        raise QuoteNotFound(f"{ref!r} is not a quote reference like {REF_PREFIX}-12")
    quote = Quote.objects.select_related("client", "ticket").filter(pk=int(match[1])).first()
    if quote is None:
        raise QuoteNotFound(f"no quote {REF_PREFIX}-{match[1]}")
    return quote


def quote_total(quote: Quote) -> Decimal:
    return quote.total()


def quote_create(
    *,
    client: Client | None = None,
    ticket: Ticket | None = None,
    title: str | None = None,
    scope_category: str | None = None,
    created_by: User,
    now: datetime,
    currency: str | None = None,
    validity_days: int | None = None,
    lines: Iterable[Mapping[str, Any]] = (),
) -> Quote:
    """A draft quote for ``client`` (about ``ticket``, if given) with its ``lines`` (each the
    keyword arguments of ``quote_line_add``), made at once: a refused line leaves no quote.

    1. What is not given comes from the ticket as the new-quote page prefills it
       (``quote_draft_defaults``): its client, its subject as the title (cut to fit), the
       clause 02 category it was classified under. Currency and validity come from the
       policy's ``[quotes]``.
    2. Check the terms; create the draft with the policy version in force; add the lines.
    """
    in_force = policy_in_force()
    policy = in_force.policy
    defaults = quote_draft_defaults(ticket=ticket, minutes=None, policy=policy)
    client = client or defaults.client
    if client is None:
        raise QuoteError("name the client, or a ticket filed under one")
    title = " ".join((defaults.title if title is None else title).split())
    scope_category = defaults.scope_category if scope_category is None else scope_category
    _check_terms(client=client, ticket=ticket, title=title, scope=scope_category, policy=policy)
    currency = (currency or str(policy.quotes.currency)).strip().upper()
    if not _CURRENCY.match(currency):
        raise QuoteError(f"currency must be a 3-letter ISO 4217 code like USD, got {currency!r}")
    days = _validity(defaults.validity_days if validity_days is None else validity_days)
    with transaction.atomic():
        quote = Quote.objects.create(
            client=client,
            ticket=ticket,
            title=title,
            scope_category=scope_category,
            clause="01" if scope_category == OVERDRAFT else "02",
            currency=currency,
            validity_days=days,
            policy_version=in_force.version,
            created_by=created_by,
            created_at=now,
            updated_at=now,
        )
        quote_event(
            quote,
            "created",
            now=now,
            actor=created_by,
            data={"scope_category": scope_category, "clause": quote.clause, "currency": currency},
        )
        for line in lines:
            quote_line_add(quote=quote, **line, actor=created_by, now=now)
    return quote


def _check_terms(
    *, client: Client, ticket: Ticket | None, title: str, scope: str, policy: Policy
) -> None:
    if not title:
        raise QuoteError("a quote needs a title")
    if len(title) > TITLE_MAX:
        raise QuoteError(f"a quote's title is at most {TITLE_MAX} characters")
    keys = scope_keys(policy)
    if scope not in keys:
        raise QuoteError(f"unknown scope category {scope!r}; expected one of {', '.join(keys)}")
    if ticket is not None and ticket.client_id != client.pk:
        owner = ticket.client.name if ticket.client_id else "no client yet"
        raise QuoteError(f"{ticket.ref} belongs to {owner}, not {client.name}")


def _validity(value: Any) -> int:
    refusal = QuoteError(f"a quote is valid for 1 to {MAX_VALIDITY_DAYS} days, got {value!r}")
    # int() would quietly turn True into 1 and 2.5 into 2.
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise refusal
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise refusal from None
    if not 1 <= days <= MAX_VALIDITY_DAYS:
        raise refusal
    return days


def _decimal(value: Any, name: str, *, limit: Decimal) -> Decimal:
    """A non-negative amount with at most 2 decimals (rounded half up), or a readable refusal."""
    if isinstance(value, bool):
        raise QuoteError(f"{name} must be a number, got {value!r}")
    try:
        number = Decimal(str(value).strip()) if isinstance(value, str | float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise QuoteError(f"{name} must be a number, got {value!r}") from None
    if not number.is_finite():
        raise QuoteError(f"{name} must be a number, got {value!r}")
    if number < 0:
        raise QuoteError(f"{name} cannot be negative (got {number})")
    number = number.quantize(CENT, rounding=ROUND_HALF_UP)
    if number > limit:
        raise QuoteError(f"{name} is too large (at most {limit})")
    return number


def _locked_draft(quote: Quote, action: str) -> Quote:
    quote = (
        Quote.objects.select_for_update(of=("self",))
        .select_related("client", "ticket")
        .get(pk=quote.pk)
    )
    if not quote.is_draft:
        raise QuoteError(state_refusal(quote, action))
    return quote


def quote_line_add(
    *,
    quote: Quote,
    kind: str,
    description: str,
    hours: Any = None,
    rate: Any = None,
    amount: Any = None,
    actor: User | None = None,
    now: datetime | None = None,
) -> QuoteLine:
    """Add a line to a draft. An hours line costs hours times rate (the policy's hourly rate unless
    given), rounded to the cent; a fixed line costs ``amount``. Nothing may be negative."""
    from django.utils import timezone

    now = now or timezone.now()
    description = " ".join(str(description or "").split())
    if not description:
        raise QuoteError("a line needs a description")
    if len(description) > 500:
        raise QuoteError("a line's description is at most 500 characters")
    if kind == LineKind.HOURS:
        if hours is None or hours == "":
            raise QuoteError("an hours line needs its hours")
        if amount not in (None, ""):
            raise QuoteError("an hours line costs hours times rate; leave the amount out")
        hours_d = _decimal(hours, "hours", limit=MAX_HOURS)
        if hours_d == 0:
            raise QuoteError("hours must be more than 0")
        default_rate = current_policy().quotes.hourly_rate
        rate_d = _decimal(default_rate if rate in (None, "") else rate, "rate", limit=MAX_RATE)
        amount_d = (hours_d * rate_d).quantize(CENT, rounding=ROUND_HALF_UP)
        if amount_d > MAX_AMOUNT:
            raise QuoteError(f"amount is too large (at most {MAX_AMOUNT})")
    elif kind == LineKind.FIXED:
        if hours not in (None, "") or rate not in (None, ""):
            raise QuoteError("a fixed-price line has an amount, not hours or a rate")
        if amount is None or amount == "":
            raise QuoteError("a fixed-price line needs its amount")
        hours_d = rate_d = None
        amount_d = _decimal(amount, "amount", limit=MAX_AMOUNT)
    else:
        raise QuoteError(f"unknown line kind {kind!r}; expected one of {', '.join(LineKind)}")
    with transaction.atomic():
        quote = _locked_draft(quote, "change its lines")
        last = quote.lines.aggregate(last=Max("position"))["last"]
        line = QuoteLine.objects.create(
            quote=quote,
            position=(last or 0) + 1,
            kind=kind,
            description=description,
            hours=hours_d,
            rate=rate_d,
            amount=amount_d,
        )
        Quote.objects.filter(pk=quote.pk).update(updated_at=now)
        quote_event(
            quote,
            "line_added",
            now=now,
            actor=actor,
            data={"line": line.pk, "description": description, "amount": str(amount_d)},
        )
    return line


def quote_line_remove(
    *, quote: Quote, line_id: int, actor: User | None = None, now: datetime | None = None
) -> None:
    from django.utils import timezone

    now = now or timezone.now()
    with transaction.atomic():
        quote = _locked_draft(quote, "change its lines")
        line = quote.lines.filter(pk=line_id).first()
        if line is None:
            raise QuoteError(f"{quote.ref} has no line {line_id}")
        line.delete()
        Quote.objects.filter(pk=quote.pk).update(updated_at=now)
        quote_event(
            quote,
            "line_removed",
            now=now,
            actor=actor,
            data={"line": line_id, "description": line.description, "amount": str(line.amount)},
        )


def _check_sendable(quote: Quote, lines: list[QuoteLine], policy: Policy) -> str:
    """The address to send to, once the quote may go; otherwise ``QuoteError`` saying why."""
    if not quote.is_draft:
        raise QuoteError(state_refusal(quote, "send"))
    if not lines:
        raise QuoteError(f"{quote.ref} has no line items; add at least one before sending")
    quoted_in = str(policy.quotes.currency)
    if quote.currency != quoted_in:
        raise QuoteError(
            f"{quote.ref} is in {quote.currency} but the policy quotes in {quoted_in}; "
            "create it again in the policy's currency"
        )
    package = quote.client.package
    if quote.currency != package.currency:
        raise QuoteError(
            f"{quote.ref} is in {quote.currency} but {quote.client.name}'s package "
            f"{package.name} is billed in {package.currency}"
        )
    recipient = quote_recipient(quote)
    if not recipient:
        raise QuoteError(
            f"{quote.client.name} has no address to send {quote.ref} to: the quote has no "
            "ticket, and the client has no billing email or billing contact"
        )
    return recipient


def quote_send(*, quote: Quote, actor: User, now: datetime) -> Quote:
    """Send a draft to the client.

    1. Refuse unless it is a draft with lines, in the policy's and the package's currency, for
       a client we can reach.
    2. Start its validity (``valid_until``, which the worker watches through
       ``expires_due_at``) and draw a new link nonce: links of an earlier revision stop working.
    3. Write the PDF, queue the email with the PDF and the signed links, record the event.
    """
    in_force = policy_in_force()
    with transaction.atomic():
        quote = (
            # Lock the quote row only: PostgreSQL cannot lock the nullable side of an outer join.
            Quote.objects.select_for_update(of=("self",))
            .select_related("client__package", "ticket", "created_by")
            .get(pk=quote.pk)
        )
        lines = list(quote.lines.all())
        recipient = _check_sendable(quote, lines, in_force.policy)
        quote.state = QuoteState.SENT
        quote.sent_at = now
        quote.sent_to = recipient
        quote.valid_until = now + timedelta(days=quote.validity_days)
        quote.expires_due_at = quote.valid_until
        quote.link_nonce = secrets.token_hex(16)
        quote.revision += 1
        quote.reply_acceptance_at = None
        quote.policy_version = in_force.version
        quote.updated_at = now
        quote.save()
        pdf = quote_pdf_write(quote, lines, in_force.policy)
        notification = quote_email_queue(
            quote=quote, lines=lines, policy=in_force.policy, pdf=pdf, actor=actor, now=now
        )
        quote_event(
            quote,
            "sent",
            now=now,
            actor=actor,
            data={
                "to": recipient,
                "revision": quote.revision,
                "total": str(lines_total(lines)),
                "currency": quote.currency,
                "valid_until": quote.valid_until.isoformat(),
                "policy_version": in_force.version.version,
                "pdf": pdf.name,
                "notification": notification.pk if notification else None,
            },
        )
    return quote
