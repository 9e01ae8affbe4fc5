"""Every reported figure of a district-year beside the model's, with the difference and a reason.

Which model lines make up a reported figure follows from the program declarations
(``civsim.programs.reported_lines``: the bureaus' "低保金及补贴" is the 低保 gap benefit plus the
低保 share of price subsidies and one-off grants). Standards are compared with the parameters in force. Stocks at the anchor month are the
roll's calibration targets, so they match by construction and say so. Figures no program models
(service counts, marriage registrations …) are listed with the reason "not modelled".
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import engine, params as params_module, programs, reported
from .synthetic import caseload_anchor

TOLERANCE_PCT = 5.0

# What a reported aggregate holds beyond the programs that declare themselves part of it.
BEYOND_THE_MODEL = {"assistance_total": "报告合计还含医疗救助等模型未模拟的救助",
                    "children": "报告数还含困境儿童生活费等模型未模拟的补贴"}


def lines(code: str) -> tuple[tuple[str, ...], str]:
    """The model lines a reported program code sums (from the program declarations), and what the
    model counts in them."""
    found = programs.reported_lines(code)
    holds = "模型口径：" + "、".join(programs.LINES[line] for line in found)
    return found, holds + (f"；{BEYOND_THE_MODEL[code]}" if code in BEYOND_THE_MODEL else "")


# measure -> model column; stocks read households/persons in a month, flows sum person_times or money
# (a count of persons over months is read as the peak monthly count: distinct people, not person-months)
FLOW_SUMS = {"amount_yuan": "amount_yuan", "person_times": "person_times", "cases": "person_times"}
FLOW_PEAKS = {"persons": "persons", "households": "households"}
STOCK_COLUMNS = {"households": "households", "persons": "persons"}
STANDARDS = {("dibao", "urban"): "dibao.standard.urban", ("dibao", "rural"): "dibao.standard.rural",
             ("dibao", "all"): "dibao.standard.urban", ("tekun", "urban"): "tekun.standard.centralized.urban",
             ("tekun", "rural"): "tekun.standard.dispersed.rural", ("tekun", "all"): "tekun.standard.centralized.urban"}
OUTPUT = ["program", "measure", "period", "reported", "model", "diff_pct", "reason"]


def model_figure(results: pd.DataFrame, row, params) -> tuple[float, str]:
    """The model's figure for one reported row, and what it is (or NaN and why not)."""
    first, last = reported.parse_period(row.period)
    if row.measure.startswith("standard_yuan_person_month"):
        path = STANDARDS.get((row.program, row.area))
        if path and params.has(path):
            return params.at(path, first.start_time.date()), f"parameter {path} in force in {first}"
        return np.nan, "not modelled: no parameter holds this standard"
    summed, holds = lines(row.program)
    if not summed:
        return np.nan, "not modelled: a service or output count the engine does not simulate"
    data = results[results["program"].isin(summed) & (results["scenario"] == "baseline")]
    if row.area != "all":
        data = data[data["area"] == row.area]
    if reported.is_flow(row.period):
        data = data[(data["month"] >= first) & (data["month"] <= last)]
        if data.empty:
            return np.nan, f"not modelled: no {'/'.join(summed)} payments in {row.period}"
        if row.measure in FLOW_SUMS:
            return float(data[FLOW_SUMS[row.measure]].sum()), holds
        if row.measure in FLOW_PEAKS:
            return float(data.groupby("month")[FLOW_PEAKS[row.measure]].sum().max()), holds
        return np.nan, f"not modelled: measure {row.measure}"
    column = STOCK_COLUMNS.get(row.measure)
    if column is None:
        return np.nan, f"not modelled: measure {row.measure}"
    data = data[data["month"] == first]
    if data.empty:
        return np.nan, f"not modelled: no {'/'.join(summed)} caseload in {row.period}"
    return float(data[column].sum()), holds


def _assumed(params, program: str, period: str) -> str:
    """The parameters behind a reported figure that pay on an assumption rather than a source."""
    first, last = reported.parse_period(period)
    months = [m.start_time.date() for m in pd.period_range(first, last, freq="M")]
    read = {path for line in lines(program)[0] for declared in (programs.LINE_PROGRAM[line],)
            for path in {**declared.params, **declared.roll_params}}
    names = {path for path, leaf in params.leaves.items() if path in read
             for date in months if leaf.entries[0].start <= date
             and leaf.at(date).source == "assumption" and leaf.at(date).value > 0}
    return f"; rests on assumed {', '.join(sorted(names))}" if names else ""


def _missing_lines(results: pd.DataFrame, program: str) -> str:
    """The model lines of a reported figure that have no caseload in this district."""
    absent = [p for p in lines(program)[0] if p in programs.PROGRAMS and p not in set(results["program"])]
    return f"; no caseload in params here for {', '.join(absent)}" if absent else ""


def reconcile(district, year: int, results: pd.DataFrame | None = None, seed: int = 1) -> pd.DataFrame:
    """One row per reported figure: program, measure, period, reported, model, diff_pct, reason."""
    params = params_module.load(district)
    figures = reported.for_district(params.district.code, year)
    if results is None:
        results = engine.simulate(params.district.code, year, seed=seed, params=params)
    anchor = caseload_anchor(params, year)
    fitted = {entry.fitted_to: path for path, leaf in params.leaves.items() for entry in leaf.entries if entry.fitted_to}
    rows = []
    for row in figures.itertuples(index=False):
        model, holds = model_figure(results, row, params)
        diff = (model - row.value) / row.value * 100 if np.isfinite(model) and row.value else np.nan
        if not np.isfinite(model):
            reason = holds
        elif f"{row.program} {row.measure} {row.period}" in fitted:
            reason = f"calibrated: {fitted[f'{row.program} {row.measure} {row.period}']} was fitted to this figure ({holds})"
        elif not reported.is_flow(row.period) and pd.Period(row.period, "M") == anchor and row.measure in STOCK_COLUMNS:
            reason = f"calibration target: the roll reproduces the {anchor} caseload by construction"
        elif abs(diff) < 0.05:
            reason = f"matches: determined by the inputs ({holds})"
        elif abs(diff) <= TOLERANCE_PCT:
            reason = f"within {TOLERANCE_PCT:g}%: modelled flow ({holds})"
        else:
            reason = (f"differs by more than {TOLERANCE_PCT:g}%: {holds}" + _missing_lines(results, row.program)
                      + _assumed(params, row.program, row.period))
        rows.append((row.program, row.measure, row.period, row.value, model, diff, reason))
    return pd.DataFrame(rows, columns=OUTPUT)
