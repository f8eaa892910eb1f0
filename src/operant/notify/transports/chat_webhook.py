"""A chat message through an incoming webhook, in Slack's format (``{"text": ...}``), which
Slack, Mattermost, Rocket.Chat and Discord's Slack-compatible endpoint all accept."""

from __future__ import annotations

import httpx

from operant.notify.models import Notification

# Connect, read and write each; a webhook that cannot answer in this time is a failed try.
TIMEOUT = httpx.Timeout(10.0)


class ChatWebhookRefused(Exception):
    """The webhook answered with a status other than 2xx (a failed try; the outbox retries)."""


def _escaped(text: str) -> str:
    # Slack reads <...> as links and mentions: its docs ask for these three to be escaped.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def chat_text(subject: str, body: str) -> str:
    """The subject in bold, then the body."""
    bold = f"*{_escaped(subject.strip())}*" if subject.strip() else ""
    return "\n".join(part for part in (bold, _escaped(body.strip())) if part)


class ChatWebhookTransport:
    def send(self, notification: Notification) -> None:
        payload = {"text": chat_text(notification.subject, notification.body_text)}
        for url in notification.to:
            # No redirects: a webhook that moved is a configuration to fix, not to follow.
            response = httpx.post(url, json=payload, timeout=TIMEOUT, follow_redirects=False)
            if not response.is_success:
                raise ChatWebhookRefused(
                    f"the chat webhook answered HTTP {response.status_code}: {response.text[:200]}"
                )
