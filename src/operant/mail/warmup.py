"""Load at process start what the first inbound mail would otherwise load.

The first message through a fresh process pays for reading the policy file, importing the
holidays package (every country, a quarter of a second here), building this year's holiday
table, and starting Django's template engine for the acknowledgement. The intake commands
(``operant smtpd``, ``operant imap``, ``operant worker``) call ``pipeline_warm_up`` before they
take mail, so that cost is paid once, at start, and not by whichever client writes first.
"""

from __future__ import annotations

from datetime import datetime

from django.template.loader import get_template
from django.utils import timezone

from operant.desk.emails import ACK_TEMPLATE
from operant.desk.models import RequestClass
from operant.policy.services import policy_in_force
from operant.policy.targets import response_deadlines


def pipeline_warm_up(*, now: datetime | None = None) -> None:
    """Read the policy in force, compute one response deadline, and load the ack template."""
    in_force = policy_in_force()
    response_deadlines(
        policy=in_force.policy,
        request_class=RequestClass.GENERAL,
        received_at=now or timezone.now(),
    )
    get_template(ACK_TEMPLATE)
