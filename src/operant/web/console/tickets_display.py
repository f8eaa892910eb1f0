"""Words and labels for the ticket pages: badges, scope categories, history lines.

Presentation only. Every fact shown here was decided and stored by the desk services; this
module only says it in a sentence an agent reads at a glance.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime

from operant.core.errors import UserError
from operant.desk.models import Message, RequestClass, Ticket, TicketEvent, TicketState
from operant.policy.loader import current_policy

log = logging.getLogger(__name__)

# The model's labels are sentences for the client; a badge needs a word or two.
CLASS_BADGES: dict[str, str] = {
    RequestClass.OUTAGE: "Outage",
    RequestClass.GENERAL: "General",
    RequestClass.ADJUSTMENT: "Adjustment",
    RequestClass.OUT_OF_SCOPE: "Out of scope",
    RequestClass.NOT_COVERED: "Not covered",
}


# Why a clock stopped, in words; another reason (a later app's) is shown by its key.
PAUSE_REASONS: dict[str, str] = {
    "waiting_on_client": "Waiting on the client",
    "vendor_incident": "Vendor incident",
    "third_party_outage": "Third-party outage",
}


def pause_reason(reason: str) -> str:
    return PAUSE_REASONS.get(reason, reason.replace("_", " ").capitalize() or "Paused")


@dataclass(frozen=True)
class ScopeCategory:
    key: str
    text: str


def scope_categories() -> list[ScopeCategory]:
    """The policy's out-of-scope categories, in the policy's order.

    A broken policy file must not take the inbox down with it: the categories are then empty
    (labels fall back to their keys) and the policy page reports the error.
    """
    try:
        return [ScopeCategory(str(c.key), str(c.text)) for c in current_policy().out_of_scope]
    except (OSError, UserError):
        log.warning("policy unavailable; scope categories shown by key", exc_info=True)
        return []


def scope_labels(categories: Iterable[ScopeCategory]) -> dict[str, str]:
    return {category.key: category.text for category in categories}


def _label(choices: type[Any], value: str | None) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _when(value: str | None) -> datetime | None:
    return parse_datetime(value) if value else None


@dataclass(frozen=True)
class HistoryLine:
    """One history entry: the sentence, and a time to show in it if the event carries one."""

    event: TicketEvent
    text: str
    at: datetime | None = None  # e.g. the new target after a resume


def _class_text(data: dict[str, Any], labels: dict[str, str]) -> str:
    text = CLASS_BADGES.get(data.get("class", ""), str(data.get("class")))
    category = data.get("scope_category")
    if category:
        text += f" ({labels.get(category, category)})"
    return text


def history_line(event: TicketEvent, labels: dict[str, str]) -> HistoryLine:
    """The sentence for one history event; an event kind we do not know is named as is."""
    data = event.data or {}
    kind = event.kind
    if kind == "created":
        return HistoryLine(event, f"Opened from {data.get('requester', 'an unknown sender')}")
    if kind == "classified":
        return HistoryLine(
            event,
            f"Classified as {_class_text(data, labels)} under clause {data.get('clause', '?')}",
        )
    if kind == "reclassified":
        before = _class_text(data.get("from", {}), labels)
        after = _class_text(data.get("to", {}), labels)
        return HistoryLine(
            event, f"Reclassified from {before} to {after} (clause {data.get('clause', '?')})"
        )
    if kind == "first_response":
        verdict = "target met" if data.get("met") else "target missed"
        return HistoryLine(event, f"First response sent: {verdict}")
    if kind == "replied":
        return HistoryLine(event, "Replied to the client")
    if kind == "assigned":
        who = data.get("assignee")
        return HistoryLine(event, f"Assigned to {who}" if who else "Unassigned")
    if kind == "client_assigned":
        text = f"Filed under client {data.get('to')}"
        if data.get("from"):
            text += f" (was {data['from']})"
        if data.get("dropped_contact"):
            text += f"; contact {data['dropped_contact']} removed"
        return HistoryLine(event, text)
    if kind == "state_changed":
        before = _label(TicketState, data.get("from"))
        after = _label(TicketState, data.get("to"))
        return HistoryLine(event, f"State changed from {before} to {after}")
    if kind == "clock_paused":
        return HistoryLine(event, f"Clock paused: {pause_reason(str(data.get('reason', '')))}")
    if kind == "clock_resumed":
        return HistoryLine(event, "Clock resumed; target now", _when(data.get("target_at")))
    if kind == "client_replied":
        return HistoryLine(event, "The client wrote again")
    if kind == "warned":
        return HistoryLine(event, "Agents warned of the target at", _when(data.get("target_at")))
    if kind == "target_missed":
        return HistoryLine(event, "Response target missed")
    if kind == "limit_passed":
        return HistoryLine(event, "Outer response limit passed")
    if kind == "bounce":
        return HistoryLine(event, "Our email to the client bounced")
    if kind == "acknowledgement_withheld":
        return HistoryLine(event, f"No acknowledgement sent: {data.get('reason', 'no reason')}")
    return HistoryLine(event, kind.replace("_", " ").capitalize())


@dataclass(frozen=True)
class Labelled:
    """A ticket with the words its badges show (templates cannot look a key up in a dict)."""

    ticket: Ticket
    class_badge: str
    scope_label: str


def labelled(ticket: Ticket, labels: dict[str, str]) -> Labelled:
    return Labelled(
        ticket=ticket,
        class_badge=CLASS_BADGES.get(ticket.request_class, ticket.request_class),
        scope_label=labels.get(ticket.scope_category, ticket.scope_category),
    )


@dataclass(frozen=True)
class Shown:
    """A message as the conversation shows it: what was written now, and the quoted history
    below it (folded away). The split point was found at parse time; it only ever errs towards
    showing more, so a start at 0 or past the end shows everything."""

    message: Message
    new_text: str
    quoted_text: str


def shown(message: Message) -> Shown:
    text = message.text
    start = message.quoted_text_start
    if start is None or not 0 < start < len(text):
        return Shown(message, text, "")
    return Shown(message, text[:start].rstrip(), text[start:].strip("\n"))
