"""Policy workflows that touch the database: recording the version decisions are taken under."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from operant.policy.loader import current_policy
from operant.policy.models import PolicyVersion
from operant.policy.schema import Policy


def policy_version_record(*, policy: Policy, now: datetime | None = None) -> PolicyVersion:
    """The ``PolicyVersion`` row for ``policy``, created the first time it is seen.

    1. Look it up by (version, sha256): the common case, one indexed read.
    2. Otherwise insert it in a savepoint. Two processes seeing a new file at once both try;
       the unique constraint lets exactly one win, and the loser reads the winner's row.
    """
    key = {"version": policy.version, "sha256": policy.sha256}
    found = PolicyVersion.objects.filter(**key).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return PolicyVersion.objects.create(
                **key,
                effective=policy.effective,
                text=policy.text,
                recorded_at=now or timezone.now(),
            )
    except IntegrityError:
        return PolicyVersion.objects.get(**key)


def policy_version_current(*, now: datetime | None = None) -> PolicyVersion:
    """The configured policy's version row, recorded lazily on first use.

    Lazy rather than at start-up or in ``post_migrate``: a file edited while the desk runs is
    picked up by ``current_policy()``, and the first decision under it records it. Nothing has
    to remember to call a hook, and a broken file does not stop migrations.
    """
    return policy_version_record(policy=current_policy(), now=now)


@dataclass(frozen=True)
class PolicyInForce:
    """The policy every decision of one operation is taken under, with its recorded version."""

    policy: Policy
    version: PolicyVersion


def policy_in_force() -> PolicyInForce:
    """Read the configured policy once for an operation, and the version row decisions cite."""
    policy = current_policy()
    return PolicyInForce(policy=policy, version=policy_version_record(policy=policy))
