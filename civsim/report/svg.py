"""Small inline SVG charts for the web pages: drawn by the browser, so a change shows in
milliseconds (the documents draw theirs with matplotlib, civsim.report.charts)."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd


def ticks(top: float) -> list[float]:
    """Round gridline values from 0 to at least ``top`` (steps of 1, 2 or 5 × 10^k)."""
    if not np.isfinite(top) or top <= 0:
        return [0.0, 1.0]
    raw = top / 4
    power = 10 ** np.floor(np.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return [float(step * i) for i in range(int(np.ceil(top / step - 1e-9)) + 1)]


def svg_lines(
    labels: list[str], series: list[tuple[str, object, str]], title: str, width: int = 460, height: int = 230
) -> str:
    """A small line chart as SVG: one line per (name, values, colour), y from zero."""
    left, right, top, bottom = 56, 10, 28, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [np.asarray(v, dtype=float) for _, v, _ in series]
    grid = ticks(max(float(np.nanmax(v)) if len(v) else 0.0 for v in values))
    y_max = grid[-1]
    n = len(labels)
    x = lambda i: left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)  # noqa: E731
    y = lambda v: top + plot_h * (1 - v / y_max)  # noqa: E731
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="11">',
        f'<text x="{left}" y="16" font-size="13" font-weight="bold">{html.escape(title)}</text>',
    ]
    for tick in grid:
        text = f"{tick:,.0f}" if tick == int(tick) else f"{tick:,.2f}"
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#e5e5e5"/><text x="{left - 4}" y="{y(tick) + 4:.1f}" text-anchor="end">{text}</text>'
        )
    for i, label in enumerate(labels):
        parts.append(
            f'<text x="{x(i):.1f}" y="{height - bottom + 16}" text-anchor="middle">{html.escape(label)}</text>'
        )
    for k, ((name, _, colour), v) in enumerate(zip(series, values)):
        points = " ".join(f"{x(i):.1f},{y(val):.1f}" for i, val in enumerate(np.nan_to_num(v)))
        dash = ' stroke-dasharray="5,3"' if k else ""
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} points="{points}"/>')
        lx = left + 10 + 70 * k
        parts.append(
            f'<line x1="{lx}" x2="{lx + 18}" y1="{height - 8}" y2="{height - 8}" stroke="{colour}" '
            f'stroke-width="2"{dash}/><text x="{lx + 22}" y="{height - 4}">{html.escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def monthly_panels(data: pd.DataFrame, name: str) -> str:
    """Monthly money (万元) and persons, baseline beside scenario, as two SVG panels side by side;
    ``data`` has baseline_yuan, scenario_yuan, baseline_persons, scenario_persons by month."""
    labels = [f"{m.month}月" for m in data.index]
    panels = [
        svg_lines(
            labels,
            [("基准", data["baseline_yuan"] / 1e4, "#555555"), ("方案", data["scenario_yuan"] / 1e4, "#c0392b")],
            f"{name}：月度支出（万元）",
            width=300,
            height=200,
        ),
        svg_lines(
            labels,
            [("基准", data["baseline_persons"], "#555555"), ("方案", data["scenario_persons"], "#c0392b")],
            f"{name}：月度人数（人）",
            width=300,
            height=200,
        ),
    ]
    return f'<div lang="zh-CN" style="display:flex;gap:12px;flex-wrap:wrap">{"".join(panels)}</div>'


__all__ = ["svg_lines", "monthly_panels", "ticks"]
