"""The budget year's P10–P90 as the scenario page shows it, beside the scenario's total (Chinese,
in 万元), with how it is made as a tooltip; ``data-*`` attributes carry the exact figures for
whoever reads the page (the browser test, ``benchmarks/app.py``)."""

from __future__ import annotations

import html

from ..report.numbers import wan_yuan


def range_html(live, year: int, problem: str = "", ms: float = 0.0, pending: bool = False) -> str:
    """``live`` (a :class:`civsim.budget.live.Range`, or None with ``problem`` saying why) as a
    line of the page; ``pending``: the last range, marked as being recomputed."""
    if live is None:
        text = "预算年度区间（P10–P90）：计算中" if pending else problem
        return f'<div lang="zh-CN"><span class="civsim-range" data-pending="{int(pending)}">{html.escape(text)}</span></div>'
    note = (
        f"按预算测算口径：以{year - 1}年为基年推算{year}年，{live.draws}次随机模拟"
        f"（低保进入、退出率，物价，各类对象人数）的第10至第90百分位；经常性项目按上年同月延续，"
        f"价格临时补贴随物价触发。页面为及时更新只取{live.draws}次，预算文书（civsim project）取200次。"
    )
    state = "（计算中）" if pending else f"（{live.draws}次模拟，预算测算口径）"
    return (
        f'<div lang="zh-CN"><span class="civsim-range" title="{html.escape(note)}" '
        f'data-p10="{live.p10_yuan:.2f}" data-p90="{live.p90_yuan:.2f}" data-draws="{live.draws}" '
        f'data-range-ms="{ms:.1f}" data-pending="{int(pending)}">'
        f"预算年度区间（P10–P90）：{wan_yuan(live.p10_yuan)[:-2]}–{wan_yuan(live.p90_yuan)}"
        f"<small>{state}</small></span></div>"
    )
