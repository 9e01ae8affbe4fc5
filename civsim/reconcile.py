"""Every reported figure of a district-year beside the model's, with the difference and a reason.

Which model lines make up a reported figure is declared once per program in ``LINES`` (e.g. the
bureaus' "低保金及补贴" is the 低保 gap benefit plus the 低保 share of price subsidies and one-off
grants). Standards are compared with the parameters in force. Stocks at the anchor month are the
roll's calibration targets, so they match by construction and say so. Figures no program models
(service counts, marriage registrations …) are listed with the reason "not modelled".
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import engine, params as params_module, reported
from .population import caseload_anchor

TOLERANCE_PCT = 5.0

# reported program -> (model programs summed, what the reported figure holds that the model may not)
LINES: dict[str, tuple[tuple[str, ...], str]] = {
    "dibao": (("dibao", "dibao_price_subsidy", "dibao_one_off"),
              "the model sums the 低保 gap benefit (with any Spring-Festival extra month), the 低保 share of "
              "price subsidies and one-off grants"),
    "tekun": (("tekun", "tekun_price_subsidy"), "the model sums 特困 basic and care standards and the 特困 share of price subsidies"),
    "low_income": (("low_income",), "flat grant per low-income household"),
    "temporary": (("temporary",), "cases per month × a multiple of the 低保 standard, capped by the approval limit"),
    "disability_nursing": (("disability_nursing",), "flat nursing subsidy per severely disabled person"),
    "disability_living": (("disability_living",), "flat living subsidy per poor disabled person"),
    "disability": (("disability_nursing", "disability_living"), "both disability subsidies; a person with both counts twice"),
    "dibao_one_off": (("dibao_one_off",), "paid to the model's 低保 recipients in the payment month"),
    "disability_nursing_one_off": (("disability_nursing_one_off",), "declared recipients × declared amounts"),
    "spring_festival": (("spring_festival",), "declared households × the per-household grant"),
    "orphan": (("orphan", "orphan_price_subsidy"), "orphans' basic living allowance"),
    "children": (("orphan", "unsupported_child", "orphan_price_subsidy", "unsupported_child_price_subsidy"),
                 "orphans and unsupported children; 困境儿童 allowances and other children's grants are not modelled"),
    "elderly_allowance": (("elderly_allowance",), "age-band allowance per person"),
    "home_care": (("home_care",), "flat subsidy per assessed person"),
    "care_institution": (("care_institution",), "operating subsidy per bed"),
    "funeral": (("funeral",), "cases per month × the subsidy per case"),
    "assistance_total": (("dibao", "dibao_price_subsidy", "dibao_one_off", "tekun", "tekun_price_subsidy", "low_income",
                          "temporary", "disability_nursing", "disability_living", "spring_festival"),
                         "the reported total also holds 医疗救助 and other aid the model does not simulate"),
}
# measure -> model column; stocks read households/persons in a month, flows sum person_times or money
# (a count of persons over months is read as the peak monthly count: distinct people, not person-months)
FLOW_SUMS = {"amount_yuan": "amount_yuan", "person_times": "person_times", "cases": "person_times"}
FLOW_PEAKS = {"persons": "persons", "households": "households"}
STOCK_COLUMNS = {"households": "households", "persons": "persons"}
STANDARDS = {("dibao", "urban"): "dibao.standard.urban", ("dibao", "rural"): "dibao.standard.rural",
             ("dibao", "all"): "dibao.standard.urban", ("tekun", "urban"): "tekun.standard.urban",
             ("tekun", "rural"): "tekun.standard.rural", ("tekun", "all"): "tekun.standard.urban"}
OUTPUT = ["program", "measure", "period", "reported", "model", "diff_pct", "reason"]


def model_figure(results: pd.DataFrame, row, params) -> tuple[float, str]:
    """The model's figure for one reported row, and what it is (or NaN and why not)."""
    first, last = reported.parse_period(row.period)
    if row.measure.startswith("standard_yuan_person_month"):
        path = STANDARDS.get((row.program, row.area))
        if path and params.has(path):
            return params.at(path, first.start_time.date()), f"parameter {path} in force in {first}"
        return np.nan, "not modelled: no parameter holds this standard"
    if row.program not in LINES:
        return np.nan, "not modelled: a service or output count the engine does not simulate"
    programs, holds = LINES[row.program]
    data = results[results["program"].isin(programs) & (results["scenario"] == "baseline")]
    if row.area != "all":
        data = data[data["area"] == row.area]
    if reported.is_flow(row.period):
        data = data[(data["month"] >= first) & (data["month"] <= last)]
        if data.empty:
            return np.nan, f"not modelled: no {'/'.join(programs)} payments in {row.period}"
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
        return np.nan, f"not modelled: no {'/'.join(programs)} caseload in {row.period}"
    return float(data[column].sum()), holds


# reported program -> parameter subtrees its model lines read (to name the assumptions behind a miss)
PARAMETERS = {"dibao": ("dibao.",), "tekun": ("tekun.",), "temporary": ("temporary.",), "low_income": ("low_income.",),
              "disability_nursing": ("disability.nursing.",), "disability_living": ("disability.living.",),
              "disability": ("disability.",), "children": ("children.",), "orphan": ("children.orphan",),
              "elderly_allowance": ("elderly.allowance.",), "home_care": ("elderly.home_care.",),
              "care_institution": ("elderly.institution.",), "funeral": ("funeral.",),
              "dibao_one_off": ("supplements.one_off.dibao.",)}


def _assumed(params, program: str, period: str) -> str:
    """The parameters behind a reported figure that pay on an assumption rather than a source."""
    first, last = reported.parse_period(period)
    months = [m.start_time.date() for m in pd.period_range(first, last, freq="M")]
    names = {path for path, leaf in params.leaves.items() if path.startswith(PARAMETERS.get(program, ("-",)))
             for date in months if leaf.entries[0].start <= date
             and leaf.at(date).source == "assumption" and leaf.at(date).value > 0}
    return f"; rests on assumed {', '.join(sorted(names))}" if names else ""


def _missing_lines(results: pd.DataFrame, program: str) -> str:
    """The model lines of a reported figure that have no caseload in this district."""
    absent = [p for p in LINES[program][0] if not p.endswith(("_price_subsidy", "_one_off")) and p not in set(results["program"])]
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
