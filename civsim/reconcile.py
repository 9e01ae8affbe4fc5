"""Every reported figure of a district-year beside the model's, with its class, the difference and
a reason in Chinese.

Which model lines make up a reported figure follows from the program declarations
(``civsim.programs.reported_lines``: the bureaus' "低保金及补贴" is the 低保 gap benefit plus the
低保 share of price subsidies and one-off grants). Each row with a model figure is one of

* 输入 — the figure is an input: a standard compared with the parameter in force, a caseload at
  the roll's anchor month, or a count a parameter was typed from (same sentence, same value);
* 校准 — something was fitted to it: a value in params/calibration whose ``fitted_to`` names
  the figure;
* 检验 — nothing was set from it: an independent check. Only these count in :func:`accuracy`.

A money figure the model misses by more than the tolerance keeps its remainder in
``unexplained_yuan`` (reported − model): shown as 未解释, never absorbed by a parameter. Figures no
program models (service counts, marriage registrations …) are 未模拟.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from . import engine, params as params_module, programs, reported_figures
from .synthetic import caseload_anchor

TOLERANCE_PCT = 5.0
INPUT, CALIBRATED, CHECK, NOT_MODELLED = "输入", "校准", "检验", "未模拟"

# What a reported aggregate holds beyond the programs that declare themselves part of it.
BEYOND_THE_MODEL = {
    "assistance_total": "报告合计还含医疗救助等模型未模拟的救助",
    "children": "报告数还含困境儿童生活费等模型未模拟的补贴",
}


def lines(code: str) -> tuple[tuple[str, ...], str]:
    """The model lines a reported program code sums (from the program declarations), and what the
    model counts in them."""
    found = programs.reported_lines(code)
    holds = "模型口径：" + "、".join(programs.LINES[line] for line in found)
    return found, holds + (f"；{BEYOND_THE_MODEL[code]}" if code in BEYOND_THE_MODEL else "")


def counted_lines(summed: tuple[str, ...]) -> tuple[str, ...]:
    """The lines whose recipients a count sums: a supplement riding on another program (a price
    subsidy, a one-off grant to its recipients) pays people already counted there, so a 低保
    recipient with a price subsidy is one person-time, not two."""
    own = tuple(line for line in summed if not _rides_on_another(line))
    return own or summed


def _rides_on_another(line: str) -> bool:
    program = programs.LINE_PROGRAM[line]
    return bool(program.lines) or bool(program.family and program.family != program.key)


# measure -> model column; stocks read households/persons in a month, flows sum person_times or money
# (a count of persons over months is read as the peak monthly count: distinct people, not person-months)
FLOW_SUMS = {"amount_yuan": "amount_yuan", "person_times": "person_times", "cases": "person_times"}
FLOW_PEAKS = {"persons": "persons", "households": "households"}
STOCK_COLUMNS = {"households": "households", "persons": "persons"}
STANDARDS = {
    ("dibao", "urban"): "dibao.standard.urban",
    ("dibao", "rural"): "dibao.standard.rural",
    ("dibao", "all"): "dibao.standard.urban",
    ("tekun", "urban"): "tekun.standard.centralized.urban",
    ("tekun", "rural"): "tekun.standard.dispersed.rural",
    ("tekun", "all"): "tekun.standard.centralized.urban",
}
OUTPUT = [
    "program",
    "area",
    "measure",
    "period",
    "reported",
    "model",
    "diff_pct",
    "class",
    "reason_code",
    "reason",
    "unexplained_yuan",
]

# reason_code -> the Chinese reason (the reports and the CSV show it; detail follows a colon)
REASONS = {
    "input_standard": "输入：报告标准即当月施行的标准参数",
    "input_caseload": "输入：名册按该月在册数构造",
    "input_typed": "输入：参数按此报告数录入",
    "calibrated": "校准：参数按此报告数推算或拟合，不作检验",
    "matches": "检验：与模型一致",
    "within": f"检验：差异在{TOLERANCE_PCT:g}%以内",
    "differs": f"检验：差异超过{TOLERANCE_PCT:g}%",
    "calibrated_differs": f"校准后仍差异超过{TOLERANCE_PCT:g}%",
    "not_modelled": "未模拟",
}


def model_figure(results: pd.DataFrame, row, params) -> tuple[float, str]:
    """The model's figure for one reported row, and what it holds (or NaN and why not)."""
    first, last = reported_figures.parse_period(row.period)
    if row.measure.startswith("standard_yuan_person_month"):
        path = STANDARDS.get((row.program, row.area))
        if path and params.has(path):
            return params.at(path, first.start_time.date()), f"{first.month}月施行的参数 {path}"
        return np.nan, "没有参数对应此标准"
    summed, holds = lines(row.program)
    if not summed:
        return np.nan, "模型不模拟此项服务量或工作量"
    if row.measure not in FLOW_SUMS and row.measure not in FLOW_PEAKS | STOCK_COLUMNS:
        return np.nan, f"模型不模拟此指标（{row.measure}）"
    if row.measure != "amount_yuan":
        summed = counted_lines(summed)
    # the rows are picked by one mask and only the measured column is summed: a calibration asks
    # this of each of its hundreds of trial runs, and copying the whole frame per step was most of it
    picked = (results["program"].isin(summed) & (results["scenario"] == "baseline")).to_numpy()
    if row.area != "all":
        picked = picked & (results["area"] == row.area).to_numpy()
    month = results["month"]
    if reported_figures.is_flow(row.period):
        picked = picked & ((month >= first) & (month <= last)).to_numpy()
        if not picked.any():
            return np.nan, f"模型在{row.period}没有{'、'.join(programs.LINES[s] for s in summed)}的发放"
        if row.measure in FLOW_SUMS:
            return _sum(results, FLOW_SUMS[row.measure], picked), holds
        if row.measure in FLOW_PEAKS:
            column = FLOW_PEAKS[row.measure]
            return float(results.loc[picked, ["month", column]].groupby("month")[column].sum().max()), holds
        return np.nan, f"模型不模拟此指标（{row.measure}）"
    column = STOCK_COLUMNS.get(row.measure)
    if column is None:
        return np.nan, f"模型不模拟此指标（{row.measure}）"
    picked = picked & (month == first).to_numpy()
    if not picked.any():
        return np.nan, f"模型在{row.period}没有{'、'.join(programs.LINES[s] for s in summed)}的在册数"
    return _sum(results, column, picked), holds


def _sum(results: pd.DataFrame, column: str, picked: np.ndarray) -> float:
    """The column's sum over the picked rows, as pandas sums it (missing values count as 0)."""
    return float(np.nansum(results[column].to_numpy(dtype=float)[picked]))


def _read_by(code: str) -> set[str]:
    """Every leaf the programs behind a reported figure read, as policy or for the roll."""
    return {
        path
        for line in lines(code)[0]
        for declared in (programs.LINE_PROGRAM[line],)
        for path in {**declared.params, **declared.roll_params}
    }


def _plain(text: str) -> str:
    return re.sub(r"\s+", "", str(text))


def _setters(params, row, year: int) -> tuple[list[str], list[str]]:
    """The leaves a reported figure set: (fitted, typed). A fitted value names its figures in
    ``fitted_to`` (params/calibration); a sourced value whose quote holds the figure's sentence
    and equals the figure was typed from it."""
    summed = lines(row.program)[0]
    if not summed:
        return [], []
    key, end = f"{row.program} {row.measure} {row.period}", dt.date(year, 12, 31)
    fitted = sorted(
        path for path, leaf in params.leaves.items() if any(key in e.fitted_to for e in leaf.entries if e.start <= end)
    )
    read = _read_by(row.program) | {
        p for p in params.leaves if any(p.startswith(f"caseload.{programs.family(line)}") for line in summed)
    }
    quote = _plain(row.quote)
    typed = sorted(
        path
        for path in read & set(params.leaves)
        if quote
        and any(
            e.start <= end
            and e.source not in ("calibration", "assumption")
            and quote in _plain(e.quote)
            and abs(e.value - row.value) < 1e-9
            for e in params.leaves[path].entries
        )
    )
    return fitted, typed


def _assumed(params, program: str, period: str, drawn=None) -> str:
    """The parameters behind a reported figure that pay on an assumption rather than a source
    (of the roll's leaves, those the roll was drawn from, where ``drawn`` says which)."""
    first, last = reported_figures.parse_period(period)
    months = [m.start_time.date() for m in pd.period_range(first, last, freq="M")]
    read = _read_by(program)
    if drawn is not None:
        roll_only = {path for p in programs.REGISTRY for path in p.roll_params} - {
            path for p in programs.REGISTRY for path in p.params
        }
        read = {path for path in read if path not in roll_only or path in drawn}
    names = {
        path
        for path, leaf in params.leaves.items()
        if path in read
        for date in months
        if leaf.entries[0].start <= date and leaf.at(date).source == "assumption" and leaf.at(date).value > 0
    }
    return f"；所用参数中{len(names)}项为假设值（{'、'.join(sorted(names))}）" if names else ""


def _missing_lines(results: pd.DataFrame, program: str) -> str:
    """The model lines of a reported figure that have no caseload in this district."""
    absent = [p for p in lines(program)[0] if p in programs.PROGRAMS and p not in set(results["program"])]
    return f"；本地参数未列{'、'.join(programs.LINES[p] for p in absent)}的在册人数" if absent else ""


def reconcile(district, year: int, results: pd.DataFrame | None = None, seed: int = 1) -> pd.DataFrame:
    """One row per reported figure, with the columns of ``OUTPUT``."""
    params = params_module.load(district)
    figures = reported_figures.for_district(params.district.code, year)
    if results is None:
        results = engine.simulate(params.district.code, year, seed=seed, params=params)
    anchor = caseload_anchor(params, year)
    rows = []
    for row in figures.itertuples(index=False):
        model, holds = model_figure(results, row, params)
        model = round(model, 2)  # to the fen: the table does not move with a library's summation order
        diff = (model - row.value) / row.value * 100 if np.isfinite(model) and row.value else np.nan
        fitted, typed = _setters(params, row, year) if np.isfinite(model) else ([], [])
        detail = holds
        if not np.isfinite(model):
            kind, code = NOT_MODELLED, "not_modelled"
        elif row.measure.startswith("standard"):
            kind, code = INPUT, "input_standard"
        elif (
            not reported_figures.is_flow(row.period)
            and pd.Period(row.period, "M") == anchor
            and row.measure in STOCK_COLUMNS
        ):
            kind, code = INPUT, "input_caseload"
        elif fitted:
            kind, code = CALIBRATED, "calibrated" if abs(diff) <= TOLERANCE_PCT else "calibrated_differs"
            detail = f"按此数设定的参数：{'、'.join(fitted)}（{holds}）"
        elif typed:
            kind, code, detail = INPUT, "input_typed", f"{'、'.join(typed)}（{holds}）"
        else:
            kind = CHECK
            code = "matches" if abs(diff) < 0.05 else "within" if abs(diff) <= TOLERANCE_PCT else "differs"
        if code in ("differs", "calibrated_differs"):
            detail += _missing_lines(results, row.program) + _assumed(
                params, row.program, row.period, results.attrs.get("drawn_from")
            )
        unexplained = (
            round(row.value - model, 2)
            if row.measure == "amount_yuan" and code in ("differs", "calibrated_differs")
            else np.nan
        )
        rows.append(
            (
                row.program,
                row.area,
                row.measure,
                row.period,
                row.value,
                model,
                diff,
                kind,
                code,
                f"{REASONS[code]}：{detail}",
                unexplained,
            )
        )
    return pd.DataFrame(rows, columns=OUTPUT)


def accuracy(table: pd.DataFrame) -> dict:
    """The accuracy over the 检验 rows only: n, how many within the tolerance, the median |diff| (%)."""
    checks = table[table["class"] == CHECK]
    within = int((checks["diff_pct"].abs() <= TOLERANCE_PCT).sum())
    median = float(checks["diff_pct"].abs().median()) if len(checks) else float("nan")
    return {"n": len(checks), "within": within, "median_abs_diff_pct": median}


def accuracy_line(table: pd.DataFrame) -> str:
    """One Chinese line: the 检验 rows, how many within 5%, the median |diff|, and the 未解释 total."""
    a = accuracy(table)
    if table.empty:
        return "本年度没有可对照的报告数。"
    if not a["n"]:
        text = "检验项0项：所有有模型数的报告数都是输入或校准依据，没有独立检验。"
    else:
        text = (
            f"检验项{a['n']}项，差异在{TOLERANCE_PCT:g}%以内{a['within']}项，"
            f"差异绝对值中位数{a['median_abs_diff_pct']:.1f}%。"
        )
    rest = table["unexplained_yuan"].dropna()
    if len(rest):
        text += f"未解释金额{len(rest)}项，合计{rest.sum() / 1e4:.2f}万元（报告数减模型数）。"
    return text
