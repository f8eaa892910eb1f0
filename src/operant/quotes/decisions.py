"""Deciding a sent quote: the client accepts or declines (link, or a reply an agent confirms),
the worker expires it, or an agent takes it back to draft to revise.

Every transition is claimed with a conditional update on the state it leaves (architecture
4.3): of two clicks, two workers or a click racing the worker, exactly one changes the row, and
the other is refused with the reason. Each change writes a ``QuoteEvent``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F

from operant.core.timefmt import iso_or_none
from operant.quotes.errors import QuoteError
from operant.quotes.events import quote_event, when
from operant.quotes.mailing import quote_decided_notify
from operant.quotes.models import DecidedVia, Quote, QuoteState

if TYPE_CHECKING:
    from operant.accounts.models import User

BATCH = 100


def state_refusal(quote: Quote, action: str) -> str:
    """Why ``quote`` cannot ``action`` in its current state, in words for whoever asked."""
    ref = quote.ref
    if quote.state == QuoteState.ACCEPTED:
        return f"{ref} was already accepted on {when(quote, quote.decided_at)}; cannot {action}"
    if quote.state == QuoteState.DECLINED:
        return f"{ref} was declined on {when(quote, quote.decided_at)}; cannot {action}"
    if quote.state == QuoteState.EXPIRED:
        return (
            f"{ref} expired on {when(quote, quote.valid_until)}; cannot {action} "
            "(reopen it and send it again for a new offer)"
        )
    if quote.state == QuoteState.DRAFT:
        return f"{ref} is a draft that has not been sent; cannot {action}"
    return f"{ref} is {quote.state}; cannot {action}"


def _refuse(quote: Quote, action: str) -> QuoteError:
    quote.refresh_from_db()
    return QuoteError(state_refusal(quote, action))


def _check_via(via: str, actor: User | None) -> None:
    if via not in DecidedVia.values:
        raise QuoteError(f"unknown way {via!r}; expected one of {', '.join(DecidedVia.values)}")
    if via != DecidedVia.LINK and actor is None:
        # A portal answer names the signed-in contact; every other way names the agent.
        raise QuoteError("an agent must record an answer that did not come through the link")


def _decide(
    *,
    quote: Quote,
    state: str,
    via: str,
    actor: User | None,
    now: datetime,
    nonce: str | None,
    data: dict[str, Any],
) -> Quote:
    """1. Refuse unless sent and still valid (for a confirmed reply, valid when the client
    replied). 2. Claim the row from ``sent``, bound to the link's nonce when there is one.
    3. Record the event; tell the agent when the client answered through the link."""
    action = "accept" if state == QuoteState.ACCEPTED else "decline"
    _check_via(via, actor)
    quote = Quote.objects.select_related("client", "ticket", "created_by").get(pk=quote.pk)
    if via == DecidedVia.PORTAL and not quote.client.contacts.filter(user=actor).exists():
        # Defence in depth behind the portal's own lookup: never another client's quote.
        raise QuoteError(f"{quote.ref} is not a quote of this contact's client")
    if quote.state != QuoteState.SENT:
        raise QuoteError(state_refusal(quote, action))
    answered_at = now
    if via == DecidedVia.REPLY:
        if state != QuoteState.ACCEPTED or quote.reply_acceptance_at is None:
            raise QuoteError(f"{quote.ref} has no reply acceptance to confirm")
        answered_at = quote.reply_acceptance_at
        data = {**data, "replied_at": answered_at.isoformat()}
    if quote.valid_until is None or answered_at >= quote.valid_until:
        raise QuoteError(
            f"{quote.ref} expired on {when(quote, quote.valid_until)}; cannot {action}"
        )
    claim = Quote.objects.filter(pk=quote.pk, state=QuoteState.SENT)
    if nonce is not None:
        claim = claim.filter(link_nonce=nonce)
    with transaction.atomic():
        if not claim.update(
            state=state, decided_at=now, decided_via=via, expires_due_at=None, updated_at=now
        ):
            quote.refresh_from_db()
            if quote.state == QuoteState.SENT and nonce is not None:
                raise QuoteError(f"{quote.ref} was revised; use the links in the latest email")
            raise QuoteError(state_refusal(quote, action))
        quote.refresh_from_db()
        quote_event(
            quote,
            state,
            now=now,
            actor=actor,
            data={
                "via": via,
                "total": str(quote.total()),
                "currency": quote.currency,
                "revision": quote.revision,
                **data,
            },
        )
        if via in (DecidedVia.LINK, DecidedVia.PORTAL):
            # The client answered on their own: the agent who built the quote must hear of it.

            quote_decided_notify(quote=quote, now=now)
    return quote


def quote_accept(
    *,
    quote: Quote,
    via: str,
    actor: User | None = None,
    now: datetime,
    nonce: str | None = None,
) -> Quote:
    """The client accepts: through the signed link (``via="link"``, bound to the link's
    ``nonce``), by a reply an agent confirms (``via="reply"``), or by word an agent records
    (``via="agent"``), or signed in to the portal (``via="portal"``). Work may then be logged
    against the quote."""
    return _decide(
        quote=quote,
        state=QuoteState.ACCEPTED,
        via=via,
        actor=actor,
        now=now,
        nonce=nonce,
        data={},
    )


def quote_decline(
    *,
    quote: Quote,
    via: str,
    actor: User | None = None,
    now: datetime,
    reason: str = "",
    nonce: str | None = None,
) -> Quote:
    """The client declines (through the link, or by word an agent records)."""
    if via == DecidedVia.REPLY:
        raise QuoteError("only an acceptance is confirmed from a reply; record a decline as agent")
    reason = " ".join(reason.split())[:1000]
    return _decide(
        quote=quote,
        state=QuoteState.DECLINED,
        via=via,
        actor=actor,
        now=now,
        nonce=nonce,
        data={"reason": reason} if reason else {},
    )


def quote_reopen(*, quote: Quote, actor: User, now: datetime) -> Quote:
    """Take a sent or expired quote back to draft to revise it. Its links stop working at once
    (the nonce is cleared), and sending it again starts a new validity with new links."""
    quote.refresh_from_db()
    if not quote.may_become(QuoteState.DRAFT):
        raise QuoteError(state_refusal(quote, "reopen"))
    with transaction.atomic():
        claimed = Quote.objects.filter(
            pk=quote.pk, state__in=[QuoteState.SENT, QuoteState.EXPIRED]
        ).update(
            state=QuoteState.DRAFT,
            link_nonce="",
            expires_due_at=None,
            reply_acceptance_at=None,
            updated_at=now,
        )
        if not claimed:
            raise _refuse(quote, "reopen")
        before = quote.state
        quote.refresh_from_db()
        quote_event(quote, "reopened", now=now, actor=actor, data={"from": before})
    return quote


def _expire_one(pk: int, due_at: datetime, now: datetime) -> bool:
    with transaction.atomic():
        claimed = Quote.objects.filter(pk=pk, state=QuoteState.SENT, expires_due_at=due_at).update(
            state=QuoteState.EXPIRED, expires_due_at=None, updated_at=now
        )
        if not claimed:
            # Another worker took it, or a stale due time outlived its state: clear it so the
            # row stops being due (the condition keeps a newer due time).
            Quote.objects.filter(pk=pk, expires_due_at=due_at).exclude(
                state=QuoteState.SENT
            ).update(expires_due_at=None)
            return False
        quote = Quote.objects.select_related("client").get(pk=pk)
        quote_event(quote, "expired", now=now, data={"valid_until": iso_or_none(quote.valid_until)})
    return True


def quote_expire_due(*, now: datetime) -> int:
    """Worker job: expire every sent quote whose ``valid_until`` has passed; each is claimed by
    one worker only, so running twice expires (and records) each once."""
    due = list(
        Quote.objects.filter(expires_due_at__lte=now)
        .order_by("expires_due_at")
        .values_list("pk", "expires_due_at")[:BATCH]
    )
    return sum(_expire_one(pk, due_at, now) for pk, due_at in due)


def quote_reply_acceptance_record(
    *, quote: Quote, now: datetime, message: Any = None, excerpt: str = ""
) -> bool:
    """The client's reply says yes: hold it for an agent to confirm (``quote_accept`` with
    ``via="reply"``). While it waits the worker does not expire the quote, since the client
    answered in time; True when this call recorded it."""
    with transaction.atomic():
        claimed = Quote.objects.filter(
            pk=quote.pk,
            state=QuoteState.SENT,
            reply_acceptance_at__isnull=True,
            valid_until__gt=now,
        ).update(reply_acceptance_at=now, expires_due_at=None, updated_at=now)
        if not claimed:
            return False
        quote.refresh_from_db()
        data: dict[str, Any] = {"excerpt": excerpt[:300]}
        if message is not None:
            data["message"] = message.pk
        quote_event(quote, "reply_acceptance", now=now, data=data)
    return True


def quote_reply_acceptance_dismiss(*, quote: Quote, actor: User, now: datetime) -> Quote:
    """The agent reads the reply and it was not a yes: the quote waits (and expires) again."""
    with transaction.atomic():
        claimed = Quote.objects.filter(
            pk=quote.pk, state=QuoteState.SENT, reply_acceptance_at__isnull=False
        ).update(reply_acceptance_at=None, expires_due_at=F("valid_until"), updated_at=now)
        if not claimed:
            quote.refresh_from_db()
            if quote.state == QuoteState.SENT:
                raise QuoteError(f"{quote.ref} has no reply acceptance to dismiss")
            raise QuoteError(state_refusal(quote, "dismiss a reply acceptance"))
        quote.refresh_from_db()
        quote_event(quote, "reply_acceptance_dismissed", now=now, actor=actor)
    return quote
