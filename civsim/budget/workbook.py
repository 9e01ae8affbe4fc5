"""The budget as a finance officer reads it: the workbook (Excel, WPS) — its tables and the writer.

Presentation only: every number comes from a :class:`civsim.budget.Projection` (the chart and the
CLI table are in :mod:`civsim.budget.display`). The workbook keeps numbers as numbers (money in 万元
with two decimals shown, full precision in the cell), freezes the header row, sizes its columns, and
writes every text cell as text: one starting with = + - − or @ is never a formula, and characters a
workbook cannot hold are removed.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..programs import LINE_PROGRAM
from ..report.labels import UNIT_WORDS, program_label
from .projection import BASELINE, TOTAL, Projection

WAN = 10_000
FORMULA_START = ("=", "+", "-", "\u2212", "@")
# XML 1.0 cannot hold C0 controls other than tab, newline and carriage return, lone surrogates
# or U+FFFE/U+FFFF; Excel refuses a file with any of them.
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

SHEETS = ("中期规划汇总", "分年度预测", "方案对比", "人数不确定性", "临时救助备用金", "假设与说明", "数据来源")
LINE_HEADERS = {
    "scenario": "方案",
    "scenario_title": "方案说明",
    "year": "年度",
    "label": "项目",
    "previous_yuan": "上年数（万元）",
    "mean_yuan": "预测数（万元）",
    "p10_yuan": "P10（万元）",
    "p50_yuan": "P50（万元）",
    "p90_yuan": "P90（万元）",
    "change_yuan": "增减额（万元）",
    "standard_yuan": "其中：标准因素（万元）",
    "people_yuan": "其中：人数因素（万元）",
    "one_off_yuan": "其中：一次性及阶段性项目（万元）",
    "person_times": "人次",
    "mc_se_yuan": "抽样标准误（万元）",
    "range_note": "区间说明",
}
UNCERTAINTY = {
    "roll": "低保进出率抽样：名册每月进入率、退出率各乘以{low:.2f}–{high:.2f}的系数",
    "trend": "人数按本区报告数据趋势每年{trend:+.1%}，另加每年±{spread:.0%}（均匀分布，逐年累积）；依据：{basis}",
    "assumed": "人数每年±{spread:.0%}（均匀分布，逐年累积）：本区报告数据只有一个年度，无法估计趋势；"
    "幅度与低保名册进出率抽样所得的年变动（P10—P90约±3%）同一量级",
    "sum": "各项目抽样合计的分位数",
}
NO_RANGE = {
    "not_paid": "区间为零：该年度不发放（一次性项目已结束或未触发）",
    "single_draw": "区间为零：只抽样一次",
    "fixed": "区间为零：金额不随任何抽样变动",
}


CELL_LIMIT = 32_767  # characters a cell holds


def safe_text(value) -> str:
    """Text as a workbook can hold it: illegal characters removed, at most a cell's length (the
    caller writes it as text)."""
    return ILLEGAL.sub("", str(value))[:CELL_LIMIT]


def scenario_label(projection: Projection, name: str) -> str:
    """A scenario as the workbook and the table name it (the baseline as 基准)."""
    return "基准" if name == BASELINE else name


def line_label(program: str) -> str:
    """A budget line's Chinese name (the total as 合计)."""
    return "合计" if program == TOTAL else program_label(program)


def _range_note(projection: Projection, program: str, family: str, kind: str, no_range: str = "") -> str:
    """Why a line's range is what it is (or why it has none)."""
    if no_range:
        return NO_RANGE[no_range]
    low, high = projection.settings["rate_factor"]
    caseload = projection.caseload.set_index("family")
    row = caseload.loc[family] if family in caseload.index else None
    if kind in ("trend", "assumed") and row is not None:
        text = UNCERTAINTY[kind].format(trend=row.trend, spread=row.spread, basis=row.basis)
    else:
        text = UNCERTAINTY.get(kind, "无抽样变动来源").format(low=low, high=high)
    if "prices" in getattr(LINE_PROGRAM.get(program), "uses", ()):  # the program declares it reads prices
        text += "；CPI与食品CPI同比随机游走"
    return text


def _money(table: pd.DataFrame, columns) -> pd.DataFrame:
    for column in columns:
        table[column] = table[column] / WAN
    return table


def sheets(projection: Projection) -> dict[str, pd.DataFrame]:
    """The workbook's tables: Chinese headers, money in 万元 (as numbers)."""
    lines = projection.lines.copy()
    lines["scenario_title"] = lines["scenario"].map(lambda name: safe_text(projection.titles[name]))
    lines["label"] = lines["program"].map(line_label)
    lines["range_note"] = [
        _range_note(projection, r.program, r.family, r.uncertainty, r.no_range) for r in lines.itertuples(index=False)
    ]
    lines["scenario"] = lines["scenario"].map(lambda s: scenario_label(projection, s))
    money = [c for c in LINE_HEADERS if c.endswith("_yuan")]
    detail = _money(lines[list(LINE_HEADERS)].copy(), money).rename(columns=LINE_HEADERS)

    base_year = projection.base_year
    summary_rows = []
    for name in projection.scenarios:
        data = projection.lines[projection.lines["scenario"] == name]
        for program in dict.fromkeys(data["program"]):
            rows = data[data["program"] == program].set_index("year")
            first = rows.loc[projection.year]
            row = {
                "方案": scenario_label(projection, name),
                "项目": line_label(program),
                f"{base_year}年（基年）（万元）": first.previous_yuan / WAN,
            }
            for year in projection.years:
                r = rows.loc[year]
                row[f"{year}年预测数（万元）"] = r.mean_yuan / WAN
                row[f"{year}年P10（万元）"] = r.p10_yuan / WAN
                row[f"{year}年P90（万元）"] = r.p90_yuan / WAN
            summary_rows.append(row)
    summary = pd.DataFrame(summary_rows)

    base = projection.lines[projection.lines["scenario"] == BASELINE]
    comparison_rows = []
    for program in dict.fromkeys(base["program"]):
        row = {"项目": line_label(program)}
        for year in projection.years:
            b = base[(base["program"] == program) & (base["year"] == year)]["mean_yuan"].iloc[0]
            row[f"{year}年 基准（万元）"] = b / WAN
            for name in projection.scenarios[1:]:
                data = projection.lines[
                    (projection.lines["scenario"] == name)
                    & (projection.lines["program"] == program)
                    & (projection.lines["year"] == year)
                ]["mean_yuan"]
                value = data.iloc[0] if len(data) else 0.0
                row[f"{year}年 {name}（万元）"] = value / WAN
                row[f"{year}年 {name} 较基准增减（万元）"] = (round(value * 100) - round(b * 100)) / 100 / WAN
        comparison_rows.append(row)
    comparison = pd.DataFrame(comparison_rows)

    caseload = pd.DataFrame(
        [
            {
                "项目": program_label(r.family),
                "不确定性来源": {"roll": "低保名册进出率", "trend": "报告数据趋势", "assumed": "设定区间"}[r.kind],
                "说明": _range_note(projection, r.family, r.family, r.kind),
            }
            for r in projection.caseload.itertuples(index=False)
        ]
    )

    reserve = projection.reserve.copy()
    reserve["scenario"] = reserve["scenario"].map(lambda s: scenario_label(projection, s))
    reserve["note"] = [
        f"{int(r.year)}年1月起备用金比例 × {int(r.year) - 1}年低保支出"
        if np.isfinite(r.reserve_percent)
        else "本区参数中没有街道临时救助备用金比例"
        for r in reserve.itertuples()
    ]
    reserve = _money(reserve, ["previous_dibao_yuan", "reserve_yuan"]).rename(
        columns={
            "scenario": "方案",
            "year": "年度",
            "previous_dibao_yuan": "上年低保支出（万元）",
            "reserve_percent": "备用金比例（%）",
            "reserve_yuan": "街道临时救助备用金（万元）",
            "note": "说明",
        }
    )

    provenance = pd.DataFrame(
        [
            ("civsim版本", projection.provenance["version"]),
            ("参数哈希", projection.provenance["params_hash"]),
            (
                "名册哈希",
                "合成名册" if projection.provenance["roll_hash"] == "synthetic" else projection.provenance["roll_hash"],
            ),
            ("随机种子", str(projection.provenance["seed"])),
            ("抽样次数", str(projection.provenance["draws"])),
            ("生成日期", projection.provenance["date"]),
            ("地区", f"{projection.district_name}（{projection.district}）"),
        ],
        columns=["项目", "取值"],
    )
    return dict(zip(SHEETS, (summary, detail, comparison, caseload, reserve, assumptions(projection), provenance)))


def range_notes(detail: pd.DataFrame) -> pd.DataFrame:
    """The 区间说明 of the 分年度预测 sheet once per scenario, line and note, with the years it
    holds for (the sheet repeats it on every row): 方案, 项目, 年度, 区间说明."""
    years = detail.groupby(["方案", "项目", "区间说明"], sort=False)["年度"].agg(
        lambda values: "、".join(f"{int(v)}年" for v in dict.fromkeys(values))
    )
    return years.reset_index()[["方案", "项目", "年度", "区间说明"]]


def unit_words(unit: str) -> str:
    return UNIT_WORDS.get(unit, f"（{unit}）")


def _describe(projection, path: str) -> str:
    """A changed leaf or subtree in the words of the declarations (城市低保标准、农村低保标准)."""
    from ..programs import REGISTRY

    labels = dict.fromkeys(
        param.label
        for program in REGISTRY
        for leaf, param in program.params.items()
        if param.label and (leaf == path or leaf.startswith(path + "."))
    )
    return "、".join(labels) or path


def _value_text(values, unit: str) -> str:
    return "、".join(f"{v:g}" for v in values) + unit_words(unit)


def assumptions(projection: Projection) -> pd.DataFrame:
    """假设与说明: method, every non-recurring item of the base year, every standard held flat, the
    recurring items repeated, each scenario's changes, and the Monte Carlo settings."""
    y0, years = projection.base_year, projection.years
    s = projection.settings
    rows = [
        ("预算窗口", f"{years[0]}—{years[-1]}年", f"基年为{y0}年（模型对本年的测算）；每年与上一年比较"),
        ("预测数", "抽样均值", "各项目预测数为各次抽样的均值，合计为各项目之和；P10/P50/P90为抽样分位数"),
        (
            "增减额分解",
            "标准因素＋人数因素＋一次性及阶段性项目",
            "三者之和等于增减额（精确到分）。一次性及阶段性项目：声明为不延续的项目和月份，开始的减去结束的；"
            "标准因素：本年名册按本年标准与按上年同月标准之差（因标准提高而新纳入的对象按其自身补差计入）；"
            "人数因素：本年名册与上年名册均按上年标准之差",
        ),
        ("标准的口径", "以元计的政策金额", "按人、户、床位或件，按月或一次性；比例、费率、月数和人数不属于标准"),
        (
            "分解的抽样",
            f"前{min(projection.draws, 50)}次抽样",
            "延续部分与上年标准部分按其与预测数之比，由前若干次抽样估计；没有一次性项目或标准变化的项目比值恰为1",
        ),
    ]
    for name in projection.scenarios:
        label = "基准方案" if name == BASELINE else f"方案 {name}"
        items = projection.items[name]
        base = projection.base[(projection.base["scenario"] == name) & (projection.base["one_off_yuan"] != 0)]
        for r in base.itertuples(index=False):
            rows.append(
                (
                    f"{label}：{y0}年不延续的支出",
                    line_label(r.program),
                    f"{r.one_off_yuan / WAN:.2f}万元（该项目{y0}年支出{r.amount_yuan / WAN:.2f}万元中声明为一次性或阶段性的部分）",
                )
            )
        for item in items["non_recurring"]:
            months = item["months"]
            period = months[0] if len(months) == 1 else f"{months[0]}至{months[-1]}"
            rows.append(
                (
                    f"{label}：{y0}年一次性及阶段性项目",
                    item["description"] or item["path"],
                    f"{period}；{_value_text(item['values'], item['unit'])}；声明为一次性或阶段性",
                    item["path"],
                )
            )
        for item in items["repeated"]:
            rows.append(
                (
                    f"{label}：按上年同月延续的经常性项目",
                    item["description"] or item["path"],
                    f"{item['months'][0]}起各年同月；{_value_text(item['values'], item['unit'])}；声明为经常性",
                    item["path"],
                )
            )
        for item in items["held_flat"]:
            rows.append(
                (
                    f"{label}：保持不变的标准",
                    item["description"] or item["path"],
                    f"{years[0]}—{years[-1]}年保持{y0}年12月水平 {item['value']:g}{unit_words(item['unit'])}",
                    item["path"],
                )
            )
        for change in projection.changes.get(name, []):
            amount = f"{change['percent']:+g}%" if "percent" in change else f"调整为{change['value']:g}"
            rows.append(
                (
                    f"{label}：政策调整",
                    _describe(projection, change["path"]),
                    f"{change['from']}起" + (f"至{change['until']}" if "until" in change else "") + f" {amount}",
                    change["path"],
                )
            )
    rows += [
        (
            "低保月进入率系数",
            f"{s['rate_factor'][0]:.2f}–{s['rate_factor'][1]:.2f}（均匀分布）",
            f"乘以参数值 {s['entry_rate']:.4f}/月；与退出率系数相互独立",
        ),
        (
            "低保月退出率系数",
            f"{s['rate_factor'][0]:.2f}–{s['rate_factor'][1]:.2f}（均匀分布）",
            f"乘以参数值 {s['exit_rate']:.4f}/月",
        ),
        (
            "其他项目人数",
            f"每年±{s['caseload_spread']:.0%}（均匀分布，逐年累积）",
            "有两个以上年度报告数据的，围绕其趋势；否则围绕不变（见工作簿“人数不确定性”表）",
        ),
    ]
    for key, name in (("cpi_yoy_pct", "CPI同比"), ("food_cpi_yoy_pct", "食品CPI同比")):
        c = s["cpi"][key]
        rows.append(
            (
                f"{name}",
                f"起点{c['last']:.1f}%（{c['month']}），月步长标准差{c['step']:.3f}个百分点",
                f"随机游走，保留一位小数；步长为基年12月前{s['cpi_window']}个月环比变化的标准差（{c['changes']}个变化）",
            )
        )
    rows += [
        ("共同随机数", "是", "各方案使用相同抽样，方案差异只来自政策"),
        ("随机种子", str(projection.seed), "同一种子结果相同；每次抽样只取决于种子、区划代码、年度和抽样序号"),
        ("金额单位", "万元", "表中金额由元折算，精确到分"),
    ]
    # 参数: the leaf's code, for tracing a row back to params (reports leave it out)
    return pd.DataFrame(
        [tuple(safe_text(v) for v in (tuple(row) + ("",) * (4 - len(row)))) for row in rows],
        columns=["项目", "取值", "说明", "参数"],
    )


# ---------------------------------------------------------------- the workbook


def _cell(sheet, row: int, column: int, value):
    cell = sheet.cell(row=row, column=column)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return cell
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (bool, int, float)):
        cell.value = value
        return cell
    text = safe_text(value)
    cell.value = text
    cell.data_type = "s"  # never a formula, whatever it starts with
    if text.startswith(FORMULA_START):
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    return cell


def text_width(value) -> int:
    """The columns a value takes in a spreadsheet or a terminal (a Chinese character two)."""
    if isinstance(value, (float, int, np.number)):
        return 14
    return sum(2 if ord(c) > 0x2E80 else 1 for c in str(value))


def to_xlsx(projection: Projection, path) -> Path:
    """Write the workbook atomically: one sheet per table (see :data:`SHEETS`)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from ..atomic import atomic_path

    book = Workbook()
    book.remove(book.active)
    for title, table in sheets(projection).items():
        sheet = book.create_sheet(title)
        for j, header in enumerate(table.columns, start=1):
            cell = _cell(sheet, 1, j, header)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for i, record in enumerate(table.itertuples(index=False), start=2):
            for j, value in enumerate(record, start=1):
                _cell(sheet, i, j, value)
        for j, header in enumerate(table.columns, start=1):
            letter = get_column_letter(j)
            if "万元" in str(header) or str(header) == "人次":
                for cell in sheet[letter][1:]:
                    cell.number_format = "#,##0.00"
            widths = [text_width(header)] + [text_width(v) for v in table.iloc[:200, j - 1]]
            sheet.column_dimensions[letter].width = min(max(10, max(widths) + 2), 60)
        sheet.freeze_panes = "A2"
    # the zip is made in memory: a full disk then fails one plain write (one line), not the zip
    # writer, whose own cleanup would print a second error from its finaliser
    buffer = io.BytesIO()
    book.save(buffer)
    with atomic_path(path) as tmp:
        tmp.write_bytes(buffer.getvalue())
    return Path(path)


__all__ = ["sheets", "range_notes", "assumptions", "to_xlsx", "safe_text", "SHEETS"]
