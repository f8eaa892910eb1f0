"""Messages as the API shows them. Tickets use the desk's shared ``ticket_json``."""

from __future__ import annotations

from typing import Any

from operant.desk.models import Message


def message_sender(message: Message) -> str | None:
    """Who wrote it, in the mailbox form people read: ``Name <address>``, a name, or None."""
    # Not email.utils.formataddr: it MIME-encodes non-ASCII names, which JSON readers would
    # then have to decode.
    if message.from_address and message.from_name:
        return f"{message.from_name} <{message.from_address}>"
    return message.from_address or message.from_name or None


def message_json(message: Message) -> dict[str, Any]:
    return {
        "id": message.pk,
        "kind": message.kind,
        "from": message_sender(message),
        "created_at": message.created_at,
        "text": message.text,
    }
