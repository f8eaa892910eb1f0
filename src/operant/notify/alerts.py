"""Alerts to Operant's staff, on the channels each person chose (``AlertChannels``).

Other apps call ``person_alert_queue`` (monitoring: "a workflow is down" to the operator on
duty and the agents); each person gets one outbox row per chosen channel, delivered and retried
by the outbox like any other notification.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from operant.core.errors import UserError
from operant.notify.loops import LOOP_HEADER
from operant.notify.models import AlertChannels, Channel, Notification
from operant.notify.services import notification_queue

log = logging.getLogger(__name__)

# E.164: a plus, a country code that does not start with 0, at most 15 digits in all.
_E164 = re.compile(r"\+[1-9]\d{6,14}")
# What people type between digits: "+1 (415) 555-0123", "+44 20 7946 0958".
_PHONE_PUNCTUATION = re.compile(r"[\s\-().]")
_URL_MAX = AlertChannels._meta.get_field("chat_webhook_url").max_length
TEST_KIND = "notify.alert_test"


def phone_normalized(value: str) -> str:
    """The number in E.164, from what a person typed; UserError when it is not one."""
    compact = _PHONE_PUNCTUATION.sub("", value.strip())
    if not _E164.fullmatch(compact):
        raise UserError(
            f"{value.strip()!r} is not a phone number in international form: write + and the "
            "country code, then the number (for example +14155550123)."
        )
    return compact


def chat_webhook_url_checked(value: str) -> str:
    """The webhook URL, stripped; UserError unless it is a valid https URL (http too while
    DEBUG is on, for a receiver on this machine)."""
    url = value.strip()
    if len(url) > _URL_MAX:
        raise UserError(f"The chat webhook URL is longer than {_URL_MAX} characters.")
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise UserError(
            f"{url!r} is not a web address: paste the webhook URL your chat service gave you."
        ) from None
    if urlsplit(url).scheme != "https" and not settings.DEBUG:
        # The URL is the webhook's only secret: over plain HTTP anyone on the path could read
        # it and post as us, and read every alert.
        raise UserError("The chat webhook URL must start with https://.")
    return url


def alert_channels_of(*, user_id: int) -> AlertChannels:
    """The person's choices; for one who never chose, the defaults (unsaved): email only."""
    return AlertChannels.objects.filter(user_id=user_id).first() or AlertChannels(user_id=user_id)


def alert_channels_set(
    *,
    user_id: int,
    email: bool,
    sms: bool,
    phone: str,
    chat: bool,
    chat_webhook_url: str,
    now: datetime,
) -> AlertChannels:
    """Save where the person wants alerts. A number or URL given is checked even when its
    channel is off (it is kept for later); a channel turned on needs its number or URL."""
    phone = phone_normalized(phone) if phone.strip() else ""
    url = chat_webhook_url_checked(chat_webhook_url) if chat_webhook_url.strip() else ""
    if sms and not phone:
        raise UserError("Enter a phone number to get alerts by SMS.")
    if chat and not url:
        raise UserError("Enter a chat webhook URL to get alerts in chat.")
    channels, _ = AlertChannels.objects.update_or_create(
        user_id=user_id,
        defaults={
            "email": email,
            "sms": sms,
            "phone": phone,
            "chat": chat,
            "chat_webhook_url": url,
            "updated_at": now,
        },
    )
    return channels


def _address(channels: AlertChannels, channel: str, email: str) -> str:
    if channel == Channel.SMS:
        return channels.phone
    if channel == Channel.CHAT_WEBHOOK:
        return channels.chat_webhook_url
    return email


def person_alert_queue(
    *,
    user_ids: Iterable[int],
    kind: str,
    subject: str,
    text: str,
    dedupe_key: str | None,
    now: datetime,
) -> list[Notification]:
    """Queue the alert for each active person, once per channel they chose (email for those who
    chose none). With a ``dedupe_key`` for the occasion, each person's row on each channel is
    queued once however many workers ask; returns the rows this call queued."""
    emails = dict(
        get_user_model()
        .objects.filter(pk__in=list(user_ids), is_active=True)
        .values_list("pk", "email")
    )
    chosen = {c.user_id: c for c in AlertChannels.objects.filter(user_id__in=list(emails))}
    queued: list[Notification] = []
    for user_id in sorted(emails):
        channels = chosen.get(user_id) or AlertChannels(user_id=user_id)
        for channel in channels.chosen():
            address = _address(channels, channel, emails[user_id])
            if not address:
                log.warning("alert %s: user %s has no address for %s", kind, user_id, channel)
                continue
            notification = notification_queue(
                channel=channel,
                kind=kind,
                to=[address],
                subject=subject,
                body_text=text,
                # An alert bounced or auto-answered into the support mailbox is not a request.
                headers={LOOP_HEADER: "1"} if channel == Channel.EMAIL else None,
                dedupe_key=f"{dedupe_key}:user:{user_id}:{channel}" if dedupe_key else None,
                now=now,
            )
            if notification is not None:
                queued.append(notification)
    return queued


def alert_test_queue(*, user_id: int, now: datetime) -> list[Notification]:
    """One test alert on each channel the person chose; at most one a minute (a double click
    queues nothing more)."""
    return person_alert_queue(
        user_ids=[user_id],
        kind=TEST_KIND,
        subject="Test alert from Operant Desk",
        text="You asked for this test. Alerts about client workflows will reach you here.",
        dedupe_key=f"{TEST_KIND}:{user_id}:{now:%Y-%m-%dT%H:%M}",
        now=now,
    )
