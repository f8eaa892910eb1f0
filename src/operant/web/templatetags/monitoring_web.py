"""Template tags of the monitoring pages (console and portal): the state badge and the words
behind a timeline of signal ticks, for those who cannot see the colours."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django import template

from operant.monitoring.models import Signal, SignalKind
from operant.monitoring.outages import duration_text

register = template.Library()


@register.inclusion_tag("web/monitoring/_state.html")
def state_badge(workflow: Any) -> dict[str, Any]:
    return {"state": workflow.state, "label": workflow.get_state_display()}


@register.simple_tag
def ticks_summary(signals: Iterable[Signal]) -> str:
    """'Last 20 signals: 18 success, 2 failure' (the kinds in their declared order)."""
    signals = list(signals)
    counts = Counter(signal.kind for signal in signals)
    parts = [
        f"{counts[kind]} {label.lower()}" for kind, label in SignalKind.choices if counts[kind]
    ]
    return f"Last {len(signals)} signal{'s' if len(signals) != 1 else ''}: {', '.join(parts)}"


@register.filter
def diff_lines(diff: str) -> list[tuple[str, str]]:
    """A unified diff as (css class, line) pairs; the template escapes each line."""
    lines = []
    for line in diff.splitlines():
        if line.startswith(("+++", "---")):
            kind = "diff-file"
        elif line.startswith("@@"):
            kind = "diff-hunk"
        elif line.startswith("+"):
            kind = "diff-add"
        elif line.startswith("-"):
            kind = "diff-del"
        else:
            kind = "diff-same"
        lines.append((kind, line))
    return lines


@register.simple_tag
def downtime_length(downtime: Any, now: Any) -> str:
    """How long a downtime lasted, or has lasted so far ('1h 5m')."""
    return duration_text(downtime.seconds(now))
