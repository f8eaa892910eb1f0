"""Email through Django's configured backend (SMTP in production)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from operant.notify.models import Notification


class EmailTransport:
    def send(self, notification: Notification) -> None:
        headers = {"Message-ID": f"<{notification.message_id}>", **notification.headers}
        message = EmailMultiAlternatives(
            subject=notification.subject,
            body=notification.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=notification.to,
            headers=headers,
        )
        if notification.body_html:
            message.attach_alternative(notification.body_html, "text/html")
        for item in notification.attachments:
            content = Path(item["path"]).read_bytes()
            message.attach(item["filename"], content, item["content_type"])
        message.send(fail_silently=False)
