"""Alerting the operator on duty (users with the operator role; all staff when none is set)."""

from __future__ import annotations

from datetime import datetime

from operant.accounts.models import User
from operant.notify.services import notification_queue


def operators_on_duty() -> list[User]:
    staff = User.objects.filter(is_active=True).exclude(email="").order_by("pk")
    operators = list(staff.filter(role=User.Role.OPERATOR))
    return operators or list(staff.filter(role__in=User.STAFF_ROLES))


def operators_alert(*, subject: str, text: str, dedupe_key: str, now: datetime) -> int:
    """Queue the alert to each operator on duty, once per ``dedupe_key``; returns how many
    were queued."""
    queued = 0
    for user in operators_on_duty():
        if notification_queue(
            kind="monitoring.alert",
            to=[user.email],
            subject=subject,
            body_text=text,
            dedupe_key=f"{dedupe_key}:{user.pk}",
            now=now,
        ):
            queued += 1
    return queued
