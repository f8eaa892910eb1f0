"""Which workflow a provider event is about, from the identifiers the registry holds.

One indexed lookup (``monitoring_identifier_idx`` on kind and value) for every candidate at
once; the caller says which identifiers it trusts most, in order. Only the signer's client's
workflows are candidates: a client's Twilio account cannot report for another client's
workflow. Operant's own account (``client_id`` None) may report for any.
"""

from __future__ import annotations

from collections.abc import Sequence

from operant.core.rows import values_where
from operant.monitoring.models import Workflow, WorkflowIdentifier

# How many identifier rows to weigh at most (a number shared by many workflows).
MAX_CANDIDATES = 50


def workflow_id_by_identifiers(
    *, client_id: int | None, preferred: Sequence[tuple[str, str]]
) -> int | None:
    """The workflow holding the first of ``preferred`` (kind, value) pairs that any workflow
    holds; the oldest workflow when several hold it. None when none does."""
    wanted = [(kind, value) for kind, value in dict.fromkeys(preferred) if value]
    if not wanted:
        return None
    # Kinds and values as two IN lists (the index's columns; simpler to build than an OR of
    # pairs), the pairs nobody asked for dropped below. Statements built once (values_where):
    # every provider event asks.
    rank = {pair: n for n, pair in enumerate(wanted)}
    candidates = [
        (rank[(kind, value)], workflow_id)
        for workflow_id, kind, value in values_where(
            WorkflowIdentifier,
            ("workflow", "kind", "value"),
            [
                ("kind", "in", sorted({kind for kind, _ in wanted})),
                ("value", "in", sorted({value for _, value in wanted})),
            ],
            limit=MAX_CANDIDATES,
        )
        if (kind, value) in rank
    ]
    if client_id is not None and candidates:
        own = {
            workflow_id
            for (workflow_id,) in values_where(
                Workflow,
                ("id",),
                [("id", "in", sorted({w for _, w in candidates})), ("client", "=", client_id)],
            )
        }
        candidates = [(n, workflow_id) for n, workflow_id in candidates if workflow_id in own]
    return min(candidates)[1] if candidates else None
