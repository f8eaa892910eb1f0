"""Alerting the operator on duty (users with the operator role; all staff when none is set),
on the channels each of them chose (notify.alerts: email, SMS, chat webhook)."""

from __future__ import annotations

from datetime import datetime

from operant.accounts.models import User
from operant.notify.alerts import person_alert_queue

ALERT_KIND = "monitoring.alert"


def operators_on_duty() -> list[int]:
    """The user ids to alert: the active operators, or every active staff member if the desk
    has no operator yet (an alert nobody receives is worse than one too many)."""
    staff = User.objects.filter(is_active=True).order_by("pk")
    operators = list(staff.filter(role=User.Role.OPERATOR).values_list("pk", flat=True))
    return operators or list(staff.filter(role__in=User.STAFF_ROLES).values_list("pk", flat=True))


def operators_alert(*, subject: str, text: str, dedupe_key: str, now: datetime) -> int:
    """Queue the alert to each operator on duty on each of their channels, once per
    ``dedupe_key``; returns how many rows were queued."""
    return len(
        person_alert_queue(
            user_ids=operators_on_duty(),
            kind=ALERT_KIND,
            subject=subject,
            text=text,
            dedupe_key=dedupe_key,
            now=now,
        )
    )
