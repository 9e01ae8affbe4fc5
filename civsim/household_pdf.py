"""The household calculation as a one-page A4 PDF for the case file (审批材料附件): the household,
each program's monthly amount (baseline, and a scenario beside it), the working with each
parameter's value, date and source, and the colophon; printed with the reports' WeasyPrint
pipeline (:func:`civsim.report.render.to_pdf`, offline, Noto Sans CJK)."""

from __future__ import annotations

import datetime as dt
import html
import tempfile
from pathlib import Path

from . import provenance
from .household import Outcome
from .household_text import describe_household, html_table

STYLE = """
@page { size: A4; margin: 14mm 14mm 12mm 14mm; }
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", sans-serif; font-size: 9.5pt; line-height: 1.45; color: #111; }
h1 { font-size: 15pt; text-align: center; margin: 0 0 4mm 0; letter-spacing: 0.1em; }
h4 { font-size: 10.5pt; margin: 3mm 0 1mm 0; }
table.meta { width: 100%; border-collapse: collapse; margin-bottom: 2mm; }
table.meta td { border: 0.6pt solid #444; padding: 1.2mm 2mm; vertical-align: top; }
table.meta td.k { width: 20mm; background: #f2f2f2; white-space: nowrap; }
table.civsim-hh-table { border-collapse: collapse; margin: 1mm 0; }
table.civsim-hh-table th, table.civsim-hh-table td { border: 0.6pt solid #444; padding: 0.8mm 3mm; text-align: right; }
table.civsim-hh-table td.label, table.civsim-hh-table th:first-child { text-align: left; }
table.civsim-hh-table tr:last-child td { font-weight: bold; }
ul.civsim-hh-workings { margin: 0; padding-left: 5mm; }
ul.civsim-hh-workings li { margin-bottom: 1mm; }
.sign { margin-top: 6mm; display: flex; justify-content: space-between; }
.colophon { margin-top: 4mm; font-size: 7.5pt; color: #555; }
"""


def page(base: Outcome, scenario: Outcome | None = None, today: dt.date | None = None) -> str:
    """The page as self-contained HTML (no code, nothing fetched)."""
    case, today = base.case, today or dt.date.today()
    district = base.params.district
    rows = [
        ("测算事项", case.name),
        ("地区", f"{district.name}（{district.code}）"),
        ("家庭情况", describe_household(case)),
    ]
    if scenario is not None:
        rows.append(("对比方案", f"{scenario.title}（方案名 {scenario.scenario}）"))
    meta = "".join(f'<tr><td class="k">{html.escape(k)}</td><td>{html.escape(v)}</td></tr>' for k, v in rows)
    colophon = provenance.of(base.params, today=today).line()
    return (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>单户救助测算表</title>'
        f"<style>{STYLE}</style></head><body><h1>单户社会救助测算表</h1>"
        f'<table class="meta">{meta}</table>{html_table(base, scenario)}'
        f"<p>说明：金额按所列参数（现行标准及其出处）逐月测算，单位为元/月；临时救助等按件审批的项目不在此列。"
        f"本表为审批参考，以审批结果为准。</p>"
        f'<div class="sign"><span>经办人：</span><span>审核人：</span>'
        f"<span>日期：{today.year}年{today.month}月{today.day}日</span></div>"
        f'<div class="colophon">{html.escape(colophon)}</div></body></html>'
    )


def write_pdf(base: Outcome, scenario: Outcome | None, path, today: dt.date | None = None) -> Path:
    """Print :func:`page` to ``path`` (written whole or not at all)."""
    from .report import render

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "household.html"
        source.write_text(page(base, scenario, today), encoding="utf-8")
        return render.to_pdf(source, path)


__all__ = ["page", "write_pdf"]
