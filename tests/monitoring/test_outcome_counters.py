"""operant.core.bulk.counters_add, on the per-minute outcome counters it was made for."""

from __future__ import annotations

from datetime import timedelta

import pytest

from operant.core.bulk import counters_add
from operant.monitoring.models import MessageOutcomes, Workflow
from tests.clock import PINNED_NOW as NOW

pytestmark = pytest.mark.django_db


def test_the_first_add_makes_the_row_and_later_ones_add_to_it(workflow: Workflow) -> None:
    minute = NOW.replace(second=0, microsecond=0)
    key = {"workflow_id": workflow.pk, "minute": minute}
    counters_add(MessageOutcomes, key=key, add={"failed": 1})
    counters_add(MessageOutcomes, key=key, add={"failed": 2})
    counters_add(MessageOutcomes, key=key, add={"delivered": 5})
    counters_add(MessageOutcomes, key={"workflow": workflow, "minute": minute}, add={"failed": 1})
    counters_add(
        MessageOutcomes,
        key={"workflow_id": workflow.pk, "minute": minute + timedelta(minutes=1)},
        add={"delivered": 1, "failed": 1},
    )
    rows = MessageOutcomes.objects.filter(workflow=workflow).order_by("minute")
    assert [(r.minute, r.delivered, r.failed) for r in rows] == [
        (minute, 5, 4),
        (minute + timedelta(minutes=1), 1, 1),
    ]


def test_nothing_to_add_is_refused(workflow: Workflow) -> None:
    with pytest.raises(ValueError, match="needs a counter"):
        counters_add(MessageOutcomes, key={"workflow_id": workflow.pk, "minute": NOW}, add={})
