"""The support address shown to clients (policy clause 07)."""

from __future__ import annotations

import logging

from django.conf import settings

from operant.core.errors import UserError
from operant.policy.loader import current_policy

log = logging.getLogger(__name__)


def support_email() -> str:
    """The policy's ``[contact].support_email``, or DEFAULT_FROM_EMAIL when the policy can't say.

    A page that only shows an address must not fail because the policy file is broken; the
    failure is logged, and the policy page itself reports the error.
    """
    try:
        return str(current_policy().contact.support_email)
    except (AttributeError, OSError, UserError):
        log.warning(
            "support address unavailable from the policy; using DEFAULT_FROM_EMAIL", exc_info=True
        )
        return settings.DEFAULT_FROM_EMAIL
