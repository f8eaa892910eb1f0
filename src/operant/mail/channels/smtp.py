"""Inbound SMTP listener (aiosmtpd): direct delivery of mail for the support address.

It accepts mail only for the desk's own addresses (it is no relay), stores the raw message,
and answers 250 only after the row is committed: a message we acknowledged is never lost.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterable
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from operant.mail.models import InboundChannel
from operant.mail.services import inbound_accept
from operant.policy.loader import current_policy

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 40 * 1024 * 1024
# RFC 5321 caps a line at 1000 octets, but real senders (and garbage) break it. Rejecting such
# mail bounces a client's request for a formality; the parser copes with long lines.
MAX_LINE_BYTES = 256 * 1024


def _store_and_process(raw: bytes) -> str:
    close_old_connections()
    # A row still pending was stored by an earlier delivery whose processing did not finish
    # (the sender retried after a 451): inbound_accept lets this delivery finish it.
    row, _ = inbound_accept(raw=raw, channel=InboundChannel.SMTP, now=timezone.now())
    return f"inbound #{row.pk} <{row.message_id}>"


class DeskHandler:
    def __init__(self, addresses: Iterable[str]) -> None:
        self.addresses = {address.lower() for address in addresses}

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.lower() not in self.addresses:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            stored = await sync_to_async(_store_and_process, thread_sensitive=False)(raw)
        except Exception:
            log.exception("could not store an inbound message")
            return "451 4.3.0 temporary failure, please retry"
        log.info("stored %s", stored)
        return "250 OK: queued"


class DeskSMTP(SMTP):
    line_length_limit = MAX_LINE_BYTES


class DeskController(Controller):
    """aiosmtpd's threaded controller, with our SMTP class and port 0 meaning "any free port"
    (tests bind that way, so two runs never race for a port)."""

    def factory(self) -> SMTP:
        return DeskSMTP(self.handler, **self.SMTP_kwargs)

    def _trigger_server(self) -> None:
        # The base class connects to self.port to check the server is up; with port 0 that is
        # the port the OS picked.
        if self.port == 0 and self.server is not None:
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


def inbound_addresses() -> list[str]:

    return [current_policy().contact.support_email, *settings.OPERANT_INBOUND_ADDRESSES]


def smtp_controller(*, host: str, port: int, addresses: Iterable[str] | None = None) -> Controller:
    """A stopped listener; ``start()`` it. With ``port=0`` read ``.port`` after starting."""
    handler = DeskHandler(addresses if addresses is not None else inbound_addresses())
    kwargs: dict[str, Any] = {
        "data_size_limit": MAX_MESSAGE_BYTES,
        "decode_data": False,
        # aiosmtpd would look the name up for every connection, inside its event loop.
        "server_hostname": socket.getfqdn(),
    }
    return DeskController(handler, hostname=host, port=port, **kwargs)
