"""Applying one provider signal to its workflow, once.

In one transaction: the workflow's row is locked (concurrent signals of one workflow queue
here, so its counters and facts never race), the signal is stored under its provider key, a
final outcome is counted, the failure rate is decided when it can change, and the facts go
through ``workflow_apply`` (the state is ``health.assess``'s). A provider key seen before
makes the insert fail and the whole transaction roll back: a replay changes nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime

from django.db import IntegrityError, transaction

from operant.core.bulk import bulk_insert
from operant.core.rows import instance_get
from operant.monitoring.models import Signal, Workflow
from operant.monitoring.providers.failure_rate import RULE_FIELDS, failure_facts, outcome_count
from operant.monitoring.transitions import APPLY_FIELDS, workflow_apply

# What applying a signal reads from the workflow's row (statements built once: every provider
# event pays for this read): what workflow_apply needs and the failure rule.
SIGNAL_FIELDS = (*APPLY_FIELDS, *RULE_FIELDS)


class Applied(enum.Enum):
    RECORDED = "recorded"
    REPLAY = "replay"  # the provider key was seen before: applied once already
    GONE = "gone"  # the workflow was deleted since it was found


class Counted(enum.Enum):
    """What a signal adds to the failure rate."""

    NOTHING = "nothing"
    DELIVERED = "delivered"
    FAILED = "failed"


def signal_apply_once(
    *,
    workflow_id: int,
    signal: Signal,
    counted: Counted,
    facts: Mapping[str, object],
    now: datetime,
) -> Applied:
    """Store ``signal`` (unsaved, its ``provider_key`` set) for the workflow and apply it.

    The rate is read when it can change the verdict: after any counted outcome (a delivered
    one too: it can bring a high rate up to the minimum count), and while the workflow is
    failing (then any signal looks again, so failures age out while signals keep coming)."""
    try:
        with transaction.atomic():
            workflow = instance_get(
                Workflow, SIGNAL_FIELDS, by="pk", value=workflow_id, for_update=True
            )
            if workflow is None:
                return Applied.GONE
            signal.workflow = workflow
            bulk_insert(Signal, [signal])  # a replayed provider key fails here: rolled back
            changes = dict(facts)
            if counted is not Counted.NOTHING:
                outcome_count(workflow_id=workflow.pk, failed=counted is Counted.FAILED, now=now)
            if counted is not Counted.NOTHING or workflow.failing_since is not None:
                changes.update(failure_facts(workflow=workflow, now=now))
            workflow_apply(workflow=workflow, now=now, changes=changes)
    except IntegrityError:
        if Signal.objects.filter(provider_key=signal.provider_key).exists():
            return Applied.REPLAY
        raise
    return Applied.RECORDED
