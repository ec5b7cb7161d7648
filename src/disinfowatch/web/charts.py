"""Charts as inline SVG, drawn on the server: no JavaScript, no external library, every label
escaped (names of outlets and narratives come from the web).

    stacked_bars({"2017-W16": {"nato-aggression": 3, "biolabs": 1}, ...}, title="Alerts by narrative")
    sparkline([0, 2, 5, 1])
"""

from __future__ import annotations

from collections import Counter

from markupsafe import escape

PALETTE = ("#3867d6", "#eb3b5a", "#20bf6b", "#f7b731", "#8854d0", "#0fb9b1", "#fa8231", "#a5b1c2")
OTHER = "other"


def stacked_bars(series: dict[str, dict[str, int]], *, title: str, top: int = 6, width: int = 660,
                 height: int = 200, empty: str = "nothing yet in this period") -> str:
    """One bar per period (week), stacked by label: the ``top`` labels overall, the rest as "other"."""
    totals = Counter()
    for counts in series.values():
        totals.update(counts)
    if not totals:
        return (f'<svg class="chart" viewBox="0 0 {width} 40" role="img" aria-label="{escape(title)}">'
                f'<text x="8" y="24" class="muted">{escape(title)}: {escape(empty)}</text></svg>')
    labels = [label for label, _ in totals.most_common(top)]
    if len(totals) > top:
        labels.append(OTHER)
    periods = sorted(series)
    stacks = []
    for period in periods:
        counts = series[period]
        row = [counts.get(label, 0) for label in labels if label != OTHER]
        if OTHER in labels:
            row.append(sum(v for k, v in counts.items() if k not in labels))
        stacks.append(row)
    peak = max(sum(row) for row in stacks) or 1
    left, bottom, top_pad, legend = 34, 22, 8, 16 * ((len(labels) + 2) // 3)
    plot_h = height - bottom - top_pad
    step = (width - left - 8) / max(len(periods), 1)
    bar = max(2.0, step * 0.7)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height + legend}" role="img" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>"]
    for tick in _ticks(peak):
        y = top_pad + plot_h * (1 - tick / peak)
        parts.append(f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                     f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" class="axis">{tick}</text>')
    for i, (period, row) in enumerate(zip(periods, stacks)):
        x, y = left + i * step + (step - bar) / 2, top_pad + plot_h
        for j, value in enumerate(row):
            if not value:
                continue
            h = plot_h * value / peak
            y -= h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{PALETTE[j % len(PALETTE)]}">'
                         f"<title>{escape(period)} · {escape(labels[j])}: {value}</title></rect>")
        if len(periods) <= 8 or i % max(1, -(-len(periods) // 8)) == 0:
            label = period.replace("-W", " W") if "-W" in period else period
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{height - 6}" text-anchor="middle" class="axis">'
                         f"{escape(label)}</text>")
    for j, label in enumerate(labels):
        lx, ly = 8 + (j % 3) * (width / 3), height + 12 + 16 * (j // 3)
        parts.append(f'<rect x="{lx:.0f}" y="{ly - 9:.0f}" width="10" height="10" fill="{PALETTE[j % len(PALETTE)]}"/>'
                     f'<text x="{lx + 14:.0f}" y="{ly:.0f}" class="legend">{escape(label)} ({totals.get(label, 0) if label != OTHER else sum(v for k, v in totals.items() if k not in labels)})</text>')
    parts.append("</svg>")
    return "".join(parts)


def sparkline(values: list[int], *, width: int = 140, height: int = 26, warn: bool = False) -> str:
    """A small bar sparkline of daily counts; the last bar marked."""
    peak = max(values) if values else 0
    if not values:
        return ""
    step = width / len(values)
    parts = [f'<svg class="spark{" warn" if warn else ""}" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{sum(values)} in {len(values)} days">']
    for i, value in enumerate(values):
        h = 0 if not peak else (height - 2) * value / peak
        cls = "last" if i == len(values) - 1 else "bar"
        parts.append(f'<rect class="{cls}" x="{i * step:.1f}" y="{height - h - 1:.1f}" width="{max(step - 1, 1):.1f}" '
                     f'height="{max(h, 0.5 if value else 0):.1f}"><title>{value}</title></rect>')
    parts.append("</svg>")
    return "".join(parts)


def _ticks(peak: int) -> list[int]:
    if peak <= 4:
        return list(range(0, peak + 1))
    step = max(1, round(peak / 4))
    return list(range(0, peak + 1, step))
