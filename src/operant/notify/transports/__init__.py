"""Notification channels as plug-ins (healthchecks' ``TRANSPORTS``).

Each channel is a module here with a class that has ``send(notification)``; this package
registers the built-in ones. Another app adds a channel with ``register_transport``.
"""

from operant.notify.models import Channel
from operant.notify.transports.base import (
    TRANSPORTS,
    NotConfigured,
    PermanentFailure,
    Transport,
    register_transport,
    transport_for,
)
from operant.notify.transports.chat_webhook import ChatWebhookTransport
from operant.notify.transports.email import EmailTransport
from operant.notify.transports.sms import SmsTransport

__all__ = [
    "TRANSPORTS",
    "NotConfigured",
    "PermanentFailure",
    "Transport",
    "register_transport",
    "transport_for",
]

register_transport(Channel.EMAIL, EmailTransport())
register_transport(Channel.SMS, SmsTransport())
register_transport(Channel.CHAT_WEBHOOK, ChatWebhookTransport())
