"""The scenario page's results as HTML (Chinese): the headline (the year's baseline and scenario
totals and their difference), the per-program table, the note over results the controls no longer
make, the year-on-year split of the money and the monthly chart (inline SVG, :mod:`civsim.report.svg`).
``data-*`` attributes carry the exact figures for whoever reads the page (the browser test,
``benchmarks/app.py``)."""

from __future__ import annotations

import html

import pandas as pd

from ..report.labels import family_label, program_label
from ..report.svg import monthly_panels


def status_note(status: str) -> str:
    """Why the controls make no valid scenario, over the last valid results; "" when they do."""
    return (
        f'<div class="civsim-warn" lang="zh-CN">{html.escape(status)}<br>（下列结果仍为上一次有效的设置）</div>'
        if status
        else ""
    )


def headline(district: str, year: int, scenario, table: pd.DataFrame, compute_ms: float) -> str:
    """The year's baseline and scenario totals and their difference, under the scenario's title."""
    from ..report.numbers import pct, wan_yuan

    total = table.set_index("program").loc["total"]
    ratio = total["diff_yuan"] / total["baseline_yuan"] if total["baseline_yuan"] else 0.0
    title = scenario.title if scenario else "方案与基准相同（未调整任何控件）"
    # data-yuan carries the exact scenario total for whoever reads the page (the browser test)
    return (
        f'<div lang="zh-CN"><b>{html.escape(district)} {year}年</b>：'
        f"{html.escape(title)}<br>全年支出 基准 {wan_yuan(total['baseline_yuan'])}，"
        f'方案 <span class="civsim-total" data-yuan="{total["scenario_yuan"]:.2f}" '
        f'data-compute-ms="{compute_ms:.1f}">'
        f"{wan_yuan(total['scenario_yuan'])}</span>，"
        f"<b>差额 {wan_yuan(total['diff_yuan'])}（{pct(ratio, signed=True)}）</b></div>"
    )


def program_table(result) -> str:
    """The per-program table of a :class:`~civsim.explorer.model.Result`."""
    shown = result.table_frame()
    return f'<div lang="zh-CN">{shown.to_html(index=False, float_format=lambda v: f"{v:,.2f}", border=0)}</div>'


def split_table(split: pd.DataFrame, year: int) -> str:
    """Why the year's money moved from the year before (:meth:`Model.split`), in 万元."""
    # short headings, the unit once: the table keeps within the results pane
    shown = pd.DataFrame(
        {
            "项目": split["family"].map(family_label),
            f"{year - 1}年": split["amount0"] / 1e4,
            f"{year}年": split["amount1"] / 1e4,
            "增减": split["change"] / 1e4,
            "标准因素": split["standard"] / 1e4,
            "人数因素": split["people"] / 1e4,
            "一次性及阶段性项目": split["one_off"] / 1e4,
        }
    )
    table = shown.to_html(index=False, float_format=lambda v: f"{v:,.2f}", border=0)
    return (
        f'<div lang="zh-CN" style="max-width:100%;overflow-x:auto;font-size:12px">'
        f"<b>与{year - 1}年相比</b>（单位：万元；三项之和等于增减额；经常性补助按上年同月延续）"
        f"<style>.civsim-split th{{white-space:normal;max-width:6em}}</style>"
        f'<div class="civsim-split">{table}</div></div>'
    )


def chart(result, program: str = "total") -> str:
    """Monthly money and caseload of a program or the total, baseline vs scenario, as inline SVG."""
    return monthly_panels(result.monthly_for(program), "合计" if program == "total" else program_label(program))
