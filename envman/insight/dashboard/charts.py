"""DORA charts as inline SVG: deployments per week, the failed ones hatched (readable without
colour and in print); each bar names its figures in a <title> for screen readers."""

from __future__ import annotations

import re
from collections.abc import Sequence

from envman.insight.dashboard.html import esc

HEIGHT = 120
BAR = 14
GAP = 4
LEFT = 28
BOTTOM = 18


def chart_id(name: str) -> str:
    return "c-" + re.sub(r"[^A-Za-z0-9_-]", "_", name)


def weekly_chart(name: str, weekly: Sequence[tuple[str, int, int]]) -> str:
    """Bars of deployments per week of the window; failed ones drawn hatched over them."""
    ident = chart_id(name)
    top = max([d for _, d, _ in weekly] + [1])
    width = LEFT + len(weekly) * (BAR + GAP) + GAP
    plot = HEIGHT - BOTTOM
    total = sum(d for _, d, _ in weekly)
    failed = sum(f for _, _, f in weekly)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{HEIGHT}" '
        f'viewBox="0 0 {width} {HEIGHT}" role="img" aria-labelledby="{ident}-t {ident}-d" '
        f'data-deployments="{total}" data-failed="{failed}">',
        f'<title id="{ident}-t">Deployments per week: {esc(name)}</title>',
        f'<desc id="{ident}-d">{total} deployment(s) in {len(weekly)} week(s), '
        f"{failed} failed (hatched)</desc>",
        f'<defs><pattern id="hatch-{ident}" width="4" height="4" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="2" height="4" style="fill:var(--bad)"/>'
        "</pattern></defs>",
        f'<line class="axis" x1="{LEFT}" y1="{plot}" x2="{width}" y2="{plot}"/>',
        f'<text x="{LEFT - 4}" y="10" text-anchor="end">{top}</text>',
        f'<text x="{LEFT - 4}" y="{plot}" text-anchor="end">0</text>',
    ]
    for index, (week, deployed, bad) in enumerate(weekly):
        x = LEFT + GAP + index * (BAR + GAP)
        parts.append(_bar(ident, x, (week, deployed, bad), top, plot))
    if weekly:
        parts.append(f'<text x="{LEFT}" y="{HEIGHT - 4}">{esc(weekly[0][0])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _bar(ident: str, x: int, week: tuple[str, int, int], top: int, plot: int) -> str:
    start, deployed, bad = week
    high = round(plot * deployed / top) if top else 0
    low = round(plot * bad / top) if top else 0
    label = f"week of {start}: {deployed} deployment(s), {bad} failed"
    return (
        f'<g class="week" data-week="{esc(start)}" data-deployments="{deployed}" '
        f'data-failed="{bad}"><title>{esc(label)}</title>'
        f'<rect class="bar" x="{x}" y="{plot - high}" width="{BAR}" height="{high}"/>'
        f'<rect class="failed" style="fill:url(#hatch-{ident})" x="{x}" y="{plot - low}" '
        f'width="{BAR}" height="{low}"/></g>'
    )
