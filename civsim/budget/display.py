"""The budget window outside the workbook: the chart (per line, the base year and each budget
year's expected amount with its P10–P90) and the terminal table of ``civsim project``, which
writes the workbook (:mod:`civsim.budget.workbook`) when asked. Presentation only, as the workbook."""

from __future__ import annotations

import sys

import numpy as np

from .projection import BASELINE, TOTAL, Projection
from .workbook import WAN, line_label, scenario_label, text_width, safe_text, to_xlsx


def _span(projection: Projection) -> str:
    first, last = projection.years[0], projection.years[-1]
    return f"{first}年" if first == last else f"{first}—{last}年"


def chart(projection: Projection, scenario: str = BASELINE):
    """Per program: the base year and each budget year's expected amount with its P10–P90 (万元)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from ..report.charts import use_cjk_font

    use_cjk_font()
    data = projection.lines[(projection.lines["scenario"] == scenario) & (projection.lines["program"] != TOTAL)]
    programs = list(dict.fromkeys(data["program"]))
    first = data[data["year"] == projection.year].set_index("program").reindex(programs)
    series = [(f"{projection.base_year}年（基年）", first["previous_yuan"].to_numpy() / WAN, None)]
    for year in projection.years:
        rows = data[data["year"] == year].set_index("program").reindex(programs)
        mean = rows["mean_yuan"].to_numpy() / WAN
        err = np.vstack([mean - rows["p10_yuan"].to_numpy() / WAN, rows["p90_yuan"].to_numpy() / WAN - mean])
        series.append((f"{year}年预测数", mean, np.clip(err, 0, None)))
    fig = Figure(figsize=(9, 0.5 * len(programs) * len(series) / 2 + 1.5), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    height = 0.8 / len(series)
    y = np.arange(len(programs))
    for i, (name, values, err) in enumerate(series):
        ax.barh(
            y + (i - (len(series) - 1) / 2) * height,
            values,
            height,
            xerr=err,
            label=name,
            color="#9aa5b1" if i == 0 else None,
            error_kw={"elinewidth": 1, "capsize": 2},
        )
    ax.set_yticks(y, [line_label(p) for p in programs])
    ax.invert_yaxis()
    ax.set_xlabel("金额（万元）；误差线为P10–P90")
    title = safe_text(projection.titles.get(scenario, scenario))
    ax.set_title(f"{projection.district_name}{_span(projection)}各项目支出预测（{title}）")
    ax.grid(axis="x", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False)
    return fig


def print_table(projection: Projection, out=None) -> None:
    """Per scenario and year: the lines with the range and the three-way split (万元)."""
    from ..report.numbers import wan_yuan

    out = out or sys.stdout
    print(
        f"{projection.district_name} {_span(projection)}预算预测（基年{projection.base_year}年；"
        f"抽样{projection.draws}次，种子{projection.seed}）",
        file=out,
    )
    header = ["项目", "上年", "预测数", "P10–P90", "增减", "标准因素", "人数因素", "一次性及阶段性"]
    for name in projection.scenarios:
        for year in projection.years:
            rows = projection.lines[(projection.lines["scenario"] == name) & (projection.lines["year"] == year)]
            print(
                f"\n{year}年 · 方案：{safe_text(projection.titles[name])}"
                + ("" if name == BASELINE else f"（{name}）"),
                file=out,
            )
            lines = [header]
            for r in rows.itertuples(index=False):
                lines.append(
                    [
                        line_label(r.program),
                        wan_yuan(r.previous_yuan),
                        wan_yuan(r.mean_yuan),
                        f"{wan_yuan(r.p10_yuan)[:-2]}–{wan_yuan(r.p90_yuan)}",
                        wan_yuan(r.change_yuan),
                        wan_yuan(r.standard_yuan),
                        wan_yuan(r.people_yuan),
                        wan_yuan(r.one_off_yuan),
                    ]
                )
            widths = [max(text_width(line[i]) for line in lines) for i in range(len(header))]
            for line in lines:
                cells = [line[0] + " " * (widths[0] - text_width(line[0]))]
                cells += [" " * (widths[i] - text_width(v)) + v for i, v in enumerate(line[1:], start=1)]
                print("  ".join(cells), file=out)
    for r in projection.reserve.itertuples(index=False):
        if np.isfinite(r.reserve_percent):
            print(
                f"\n临时救助街道备用金（{r.year}年，{scenario_label(projection, r.scenario)}）：{r.reserve_percent:g}% × "
                f"上年低保{wan_yuan(r.previous_dibao_yuan)} = {wan_yuan(r.reserve_yuan)}",
                file=out,
            )


def main(
    district, year: int, scenarios=(), draws: int = 200, xlsx=None, seed: int = 1, years: int = 3, roll=None
) -> int:
    """``civsim project``: print the table; write the workbook if asked. ``roll`` is a folder
    holding a bureau's roll of the base year (``year − 1``)."""
    from .. import params, roll_io
    from .projection import project

    if roll is not None:
        roll = roll_io.load_folder(params.load(district), year - 1, roll, seed)
    projection = project(
        district, year, scenarios=list(scenarios or ()), draws=draws, seed=seed, years=years, roll=roll
    )
    print_table(projection)
    if xlsx:
        to_xlsx(projection, xlsx)
        print(f"wrote {xlsx}", file=sys.stderr)
    return 0


__all__ = ["chart", "print_table", "main"]
