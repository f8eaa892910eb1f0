"""Server-side SVG charts of a statement, drawn from the frozen figures (no queries).

Each chart is an ``<svg role="img">`` named by its ``<title>`` and described by its ``<desc>``,
which says in words what the picture shows, so a screen reader gets the same facts.
"""

from __future__ import annotations

from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 32


def cumulative_usage(figures: dict[str, Any]) -> list[int]:
    """Allowance minutes used by the end of each day of the month (adjustment entries only)."""
    days = figures["days"]
    per_day = [0] * days
    for entry in figures["entries"]:
        if entry["kind"] == "adjustment":
            per_day[int(entry["date"][8:10]) - 1] += entry["minutes"]
    running, totals = 0, []
    for minutes in per_day:
        running += minutes
        totals.append(running)
    return totals


def _svg(ident: str, title: str, desc: str, body: str, height: int = HEIGHT) -> SafeString:
    # Every text that reaches the markup is escaped here, once.
    # Safe: built from escaped text and numbers only.
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'class="statement-plot" aria-labelledby="{ident}-title {ident}-desc">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(desc)}</desc>{body}</svg>'
    )


def usage_svg(figures: dict[str, Any]) -> SafeString:
    """A step line of cumulative usage by day against the dashed allowance line."""
    totals = cumulative_usage(figures)
    allowance = figures["allowance"]["allowance_minutes"]
    top = max([allowance, *totals, 1])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: int) -> float:
        return LEFT + plot_w * day / len(totals)

    def y(minutes: int) -> float:
        return TOP + plot_h * (1 - minutes / top)

    points = [f"{x(0):.1f},{y(0):.1f}"]
    for index, minutes in enumerate(totals):
        points.append(f"{x(index):.1f},{y(minutes):.1f}")
        points.append(f"{x(index + 1):.1f},{y(minutes):.1f}")
    used = totals[-1] if totals else 0
    desc = (
        f"Allowance minutes used by day across {len(totals)} days: {used} of {allowance} "
        f"minutes used by the end of the month."
    )
    body = (
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" '
        'stroke="currentColor" stroke-opacity="0.4"/>'
        f'<line class="allowance-line" x1="{LEFT}" y1="{y(allowance):.1f}" x2="{WIDTH - RIGHT}" '
        f'y2="{y(allowance):.1f}" stroke="#b45309" stroke-dasharray="6 4"/>'
        f'<text x="{LEFT - 6}" y="{y(allowance) + 4:.1f}" text-anchor="end" font-size="11">'
        f"{allowance}</text>"
        f'<polyline class="usage-line" fill="none" stroke="#1d4ed8" stroke-width="2" '
        f'points="{" ".join(points)}"/>'
        f'<text x="{LEFT}" y="{HEIGHT - 10}" font-size="11">1</text>'
        f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 10}" text-anchor="end" font-size="11">'
        f"{len(totals)}</text>"
    )
    return _svg("usage", "Allowance usage by day", desc, body)


def attainment_svg(figures: dict[str, Any]) -> SafeString:
    """One bar split into met and breached first responses."""
    attainment = figures["attainment"]
    met, breached, total = attainment["met"], attainment["breached"], attainment["total"]
    bar_w, height = WIDTH - LEFT - RIGHT, 28
    if total:
        desc = (
            f"{attainment['percent']:g}% of first responses met their target: {met} met, "
            f"{breached} breached, of {total}."
        )
        met_w = bar_w * met / total
        body = (
            f'<rect class="met" x="{LEFT}" y="{TOP}" width="{met_w:.1f}" height="{height}" '
            'fill="#15803d"/>'
            f'<rect class="breached" x="{LEFT + met_w:.1f}" y="{TOP}" '
            f'width="{bar_w - met_w:.1f}" height="{height}" fill="#b91c1c"/>'
        )
    else:
        desc = "No first responses were decided among this month's tickets."
        body = (
            f'<rect x="{LEFT}" y="{TOP}" width="{bar_w}" height="{height}" fill="none" '
            'stroke="currentColor" stroke-opacity="0.4"/>'
        )
    body += f'<text x="{LEFT}" y="{TOP + height + 18}" font-size="12">{escape(desc)}</text>'
    # One bar needs far less height than the usage chart.
    return _svg("attainment", "Response-target attainment", desc, body, TOP + height + 28)
