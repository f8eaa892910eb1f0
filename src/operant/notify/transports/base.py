"""The interface every notification channel implements, and the registry of them.

A transport sends one outbox row and returns, or raises: any exception is a failed try that the
outbox retries with back-off (``operant.notify.services``); ``PermanentFailure`` says retrying
cannot help (the channel is not set up), so the row is marked failed at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from operant.notify.models import Notification


class Transport(Protocol):
    def send(self, notification: Notification) -> None:
        """Deliver ``notification`` to every address in ``notification.to``, or raise."""


class PermanentFailure(Exception):
    """A failure no retry can mend; its message becomes the row's ``last_error``."""


class NotConfigured(PermanentFailure):
    """The channel lacks the settings it needs (say which ones in the message)."""


# Channel key (``Channel`` value) -> the transport that delivers it.
TRANSPORTS: dict[str, Transport] = {}


def register_transport(channel: str, transport: Transport) -> None:
    """Make ``transport`` the one that delivers rows of ``channel`` (replacing any other)."""
    TRANSPORTS[channel] = transport


def transport_for(channel: str) -> Transport:
    transport = TRANSPORTS.get(channel)
    if transport is None:
        raise NotConfigured(f"no transport is registered for the channel {channel!r}")
    return transport
