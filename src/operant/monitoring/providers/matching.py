"""Which workflow a provider event is about, from the identifiers the registry holds.

One indexed lookup (``monitoring_identifier_idx`` on kind and value) for every candidate at
once; the caller says which identifiers it trusts most, in order. Only the signer's client's
workflows are candidates: a client's Twilio account cannot report for another client's
workflow. Operant's own account (``client_id`` None) may report for any.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Q

from operant.monitoring.models import WorkflowIdentifier

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
    match = Q()
    for kind, value in wanted:
        match |= Q(kind=kind, value=value)
    rows = WorkflowIdentifier.objects.filter(match)
    if client_id is not None:
        rows = rows.filter(workflow__client_id=client_id)
    found = list(rows.values_list("workflow_id", "kind", "value")[:MAX_CANDIDATES])
    if not found:
        return None
    rank = {pair: n for n, pair in enumerate(wanted)}
    best = min(found, key=lambda row: (rank.get((row[1], row[2]), len(rank)), row[0]))
    return best[0]
