"""Fitting the roll to a bureau's reported figures, kept apart from policy (params/calibration).

Two kinds of fit, each value naming every figure it was fitted to (``fitted_to``):

* :func:`refit` — one amount per recipient, or one count, that the documents give only through a
  total (two-subsidy averages, 春节慰问 per household …): the shift of the leaf's fitted values at
  which the model's figure equals the reported one. Such a value has a single figure behind it
  and is exactly determined by it.
* :func:`fit_roll` — the synthetic roll's unknowns jointly: the income gap below the line per area
  (``dibao.gap_ratio.*``), the 特困 self-care and area shares, 临时救助 cases per month and the
  grant per case. The unknowns are the leaves a program declares with a ``prior``; the targets are
  every reported flow (money, person-times, persons) of those programs in the year. The fit
  minimises, by Levenberg–Marquardt on finite differences over the full model,

      Σ_targets ((model − reported) / (reported × 5%))²  +  Σ_unknowns ((θ − θ₀) / σ)²

  where θ₀ is the value in force without calibration (a national figure) and σ the declared
  prior spread (an unknown without a national figure has none and is fitted freely), within the
  leaf's bounds. A target the rules cannot reach keeps its remainder: the prior stops a ratio
  from running to its bound to absorb payments the model does not hold, and the reconciliation
  shows the rest as 未解释. A bureau with its own 台账 needs none of it.

Writing the fitted values into the jurisdiction's file is :mod:`civsim.calibration_file`'s.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from . import engine, param_leaves, params as params_module, programs, reported_figures
from .errors import CivsimError
from .reconcile import TOLERANCE_PCT, model_figure

MEASURES = ("amount_yuan", "person_times", "persons", "households", "cases")
MAX_STEPS = 20


def _figure_row(code: str, figure: str):
    program, measure, period = figure.split()
    year = reported_figures.parse_period(period)[0].year
    rows = reported_figures.for_district(code, year)
    rows = rows[(rows.program == program) & (rows.measure == measure) & (rows.period == period)]
    if len(rows) != 1:
        raise CivsimError("data/reported", figure, f"{len(rows)} reported rows match", "exactly one")
    return next(rows.itertuples(index=False)), year


COUNTS = {"persons", "households", "beds", "cases/month", "person_times/month"}


def group(params, figure: str) -> tuple[str, ...]:
    """The leaves fitted one by one to ``figure``: every fitted leaf naming it that is not one of
    the roll's jointly fitted unknowns. They move together (both grades of a subsidy at one
    average, the age bands of one count)."""
    own = f"{params.district.slug}.yaml"
    return tuple(
        sorted(
            path
            for path, leaf in params.leaves.items()
            if path not in programs.UNKNOWNS
            and Path(leaf.file).name == own
            and Path(leaf.file).parent.name == params_module.CALIBRATION.name
            and any(figure in e.fitted_to for e in leaf.entries)
        )
    )


def own_figures(district, year: int) -> tuple[str, ...]:
    """The figures of ``year`` that the jurisdiction's own values are fitted to one by one."""
    params = params_module.load(district)
    return tuple(
        sorted(
            {
                f
                for path, leaf in params.leaves.items()
                for e in leaf.entries
                for f in e.fitted_to
                if not param_leaves.is_roll_reference(f)  # measured on a roll, not fitted to a figure
                and reported_figures.parse_period(f.split()[2])[0].year == year
                and group(params, f)
            }
        )
    )


def shifted(params, paths, shift: float):
    """``params`` with the fitted values of ``paths`` moved by ``shift``: added (yuan, base unit)
    to an amount, so equal amounts stay equal and a statutory raise on a fitted base stays; a
    relative change to a count, so a split by assumed shares keeps its shares."""
    leaves = dict(params.leaves)
    for path in paths:
        leaf = leaves[path]
        move = (lambda v: v * (1 + shift)) if leaf.unit in COUNTS else (lambda v: max(v + shift, 0.0))
        leaves[path] = replace(
            leaf, entries=tuple(replace(e, value=move(e.value)) if e.fitted_to else e for e in leaf.entries)
        )
    return params.with_leaves(leaves, params.scenario)


def _model(params, row, year: int, seed: int) -> float:
    sim = engine.Simulation(params, year, seed)
    return model_figure(sim.run(params).assign(scenario="baseline"), row, params)[0]


def refit(district, figure: str, seed: int = 1, root=params_module.PARAMS) -> tuple[tuple[str, ...], float]:
    """The leaves fitted one by one to ``figure`` ("program measure period") and the shift (see
    :func:`shifted`) at which the model's figure equals the reported one: 0 for values that are
    their fit. The flat rules these values feed are linear in them: a secant step or two finds it."""
    params = params_module.load(district, root)
    row, year = _figure_row(params.district.code, figure)
    paths = group(params, figure)
    if not paths:
        raise CivsimError(
            f"params/calibration/{params.district.slug}.yaml",
            figure,
            "no value is fitted to it alone",
            "a fitted value naming the figure in fitted_to",
        )
    counts = params.leaf(paths[0]).unit in COUNTS
    if all(p.startswith("caseload.") for p in paths) and row.measure in ("persons", "households"):
        # a count split into caseload leaves: they are the roll's targets at its anchor month, so the
        # fit is that they add up to the figure (the roll's turnover moves a count within the year)
        anchor = sum(params.leaf(p).entries[-1].value for p in paths)
        return paths, row.value / anchor - 1
    step = 0.05 if counts else max(max(abs(e.value) for p in paths for e in params.leaf(p).entries) * 0.01, 0.01)
    shift, f = 0.0, _model(params, row, year, seed) - row.value
    for _ in range(4):
        if abs(f) <= abs(row.value) * 1e-6:
            break
        trial = _model(shifted(params, paths, shift + step), row, year, seed) - row.value
        if trial == f:
            raise CivsimError(
                paths[0], figure, "the figure does not move with the value", "a value the figure depends on"
            )
        shift += step * f / (f - trial)
        f = _model(shifted(params, paths, shift), row, year, seed) - row.value
    return paths, shift


@dataclass(frozen=True)
class Unknown:
    path: str
    prior: float  # θ₀, the value in force without calibration
    spread: float  # σ; inf: no national figure, fitted freely
    low: float
    high: float


@dataclass(frozen=True)
class Fit:
    district: str
    year: int
    unknowns: tuple[Unknown, ...]
    values: np.ndarray
    targets: pd.DataFrame  # program, measure, period, reported, model, diff_pct
    figures: tuple[str, ...]  # every figure the values were fitted to
    unreached: tuple[str, ...] = ()  # figures no value within the bounds reaches (left as checks)
    moves: np.ndarray | None = None  # figures × unknowns: whether the unknown moves the figure
    why: tuple[str, ...] = ()  # for each unreached figure, in the user's words: how far, and what rule could close it

    def fitted_to(self, j: int) -> tuple[str, ...]:
        """The figures unknown ``j`` was fitted to: those it moves."""
        return tuple(f for f, moved in zip(self.figures, self.moves[:, j]) if moved)

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "path": [u.path for u in self.unknowns],
                "prior": [u.prior for u in self.unknowns],
                "spread": [u.spread for u in self.unknowns],
                "fitted": self.values,
            }
        )


def _targets(code: str, year: int, owners: set[str]) -> pd.DataFrame:
    rows = reported_figures.for_district(code, year)
    flows = rows["period"].map(reported_figures.is_flow)
    return rows[flows & rows["program"].isin(owners) & rows["measure"].isin(MEASURES)].reset_index(drop=True)


def fit_roll(district, year: int, seed: int = 1) -> Fit:
    """The joint fit of the roll's unknowns to the district-year's reported flows (module doc). A
    figure that stays more than 5% off with an unknown it moves at a bound of its range cannot be
    reached by the rules: it is dropped and the rest refitted, so it stays an independent check
    whose remainder is 未解释, and an unknown left without a figure keeps its unfitted value."""
    base = params_module.load(district, calibrated=False)
    current = params_module.load(district)
    code, day = base.district.code, dt.date(year, 1, 1)
    declared = programs.UNKNOWNS
    active = {p.key for p in engine.Simulation(current, year, seed).programs}
    targets = _targets(code, year, {owner for owner, _ in declared.values()} & active)
    if targets.empty:
        raise CivsimError(
            f"data/reported ({code})",
            str(year),
            "no reported money or person-times of a program "
            "whose roll has unknowns (低保, 特困, 临时救助) for the year",
            "such a figure in data/reported to fit the roll to",
        )
    dropped = pd.DataFrame(columns=targets.columns)
    why: list[str] = []
    while True:
        owners = set(targets["program"])
        unknowns = tuple(
            Unknown(path, base.get(path, day, math.nan), param.prior, *param.bounds)
            for path, (owner, param) in declared.items()
            if owner in owners and base.has(path)
        )
        unknowns = tuple(u for u in unknowns if math.isfinite(u.prior) and not _measured(current, u.path, day))
        if targets.empty:  # every figure stays out of reach of the rules as declared
            raise CivsimError(
                f"data/reported ({code})",
                str(year),
                "no reported figure can be reached by the rules as declared: " + "；".join(why),
                "a rule that can pay what was reported (see above)",
            )
        if not unknowns:
            raise CivsimError(
                f"data/reported ({code})",
                str(year),
                "the reported figures' programs have no roll unknown declared here",
                "money or person-times of 低保, 特困 or 临时救助 for the year",
            )
        theta, model, jacobian = _solve(current, year, seed, day, unknowns, targets)
        reported_values = targets["value"].to_numpy(float)
        off = np.abs(model - reported_values) > np.abs(reported_values) * TOLERANCE_PCT / 100
        at_bound = np.isclose(theta, [u.low for u in unknowns]) | np.isclose(theta, [u.high for u in unknowns])
        unreachable = off & ((jacobian[: len(targets)] != 0) & at_bound).any(axis=1)
        if not unreachable.any():
            break
        why += [
            _why(
                row,
                value,
                [u for u, moves, bound in zip(unknowns, jacobian[i] != 0, at_bound) if moves and bound],
                theta,
                unknowns,
            )
            for i, (row, value) in enumerate(zip(targets.itertuples(index=False), model))
            if unreachable[i]
        ]
        dropped = pd.concat([dropped, targets[unreachable]], ignore_index=True)
        targets = targets[~unreachable].reset_index(drop=True)
    table = targets[["program", "measure", "period", "value"]].rename(columns={"value": "reported"})
    table = table.assign(model=model, diff_pct=(model - reported_values) / reported_values * 100)
    figures = tuple(f"{row.program} {row.measure} {row.period}" for row in targets.itertuples(index=False))
    unreached = tuple(f"{row.program} {row.measure} {row.period}" for row in dropped.itertuples(index=False))
    moves = jacobian[: len(targets)] != 0
    kept = moves.any(axis=0)  # an unknown no figure moves (no urban 特困 here) is not fitted
    return Fit(
        base.district.name,
        year,
        tuple(u for u, k in zip(unknowns, kept) if k),
        np.round(theta[kept], 4),
        table,
        figures,
        unreached,
        moves[:, kept],
        tuple(why),
    )


def _measured(params, path: str, day: dt.date) -> bool:
    """The value in force on ``day`` was measured on the district's own rolls (civsim.bureau.dynamics):
    a fit to reported totals does not replace it."""
    entry = params.leaf(path).at(day) if params.has(path) and params.leaf(path).entries[0].start <= day else None
    return bool(entry and entry.fitted_to and all(map(param_leaves.is_roll_reference, entry.fitted_to)))


# What a declared rule could add where the gap rule and the roll's unknowns cannot reach a figure
CLOSES = {
    "dibao": {
        "below": "分类施保增发（dibao.classified.*：老年人、残疾人、学生、重病患者、单亲家庭等按类增发）"
        "或分档发放（dibao.tiered.*、dibao.tier.*）可使人均补助高于差额",
        "above": "分档发放（dibao.tiered.*、dibao.tier.*）的档额低于差额，或在册户数有误",
    },
    "tekun": {
        "below": "集中、分散供养分设的照料护理标准（tekun.care.centralized.*、tekun.care.dispersed.*）",
        "above": "集中、分散供养分设的照料护理标准（tekun.care.centralized.*、tekun.care.dispersed.*）",
    },
}


def _why(row, model: float, bound: list, theta, unknowns) -> str:
    """One unreached figure in the user's words: what was reported, what the model reaches with the
    unknowns at their bounds, and which declared rule could close the difference."""
    value = dict(zip((u.path for u in unknowns), theta))
    at = "、".join(
        f"{u.path}={value[u.path]:.4g}（{'下限' if np.isclose(value[u.path], u.low) else '上限'}）" for u in bound
    )
    side = "below" if model < row.value else "above"
    reach = "最高只到" if side == "below" else "最低仍为"
    rule = CLOSES.get(row.program, {}).get(side, "本地区为此项目规定的发放办法")
    return (
        f"{row.program} {row.measure} {row.period}：报告{row.value:,.2f}，模型在{at}时{reach}{model:,.2f}"
        f"（{(model - row.value) / row.value * 100:+.1f}%）；可弥补差距的规定：{rule}"
    )


def _solve(params, year: int, seed: int, day: dt.date, unknowns, targets):
    """Levenberg–Marquardt from the unfitted values: (θ, the model's figures, the Jacobian)."""
    start = np.array([u.prior for u in unknowns])
    low, high = np.array([u.low for u in unknowns]), np.array([u.high for u in unknowns])
    spread = np.array([u.spread for u in unknowns])
    reported_values = targets["value"].to_numpy(float)
    rows = list(targets.itertuples(index=False))

    def models(theta: np.ndarray) -> np.ndarray:
        trial = _with_values(params, unknowns, theta, day)
        results = engine.Simulation(trial, year, seed).run(trial).assign(scenario="baseline")
        return np.array([model_figure(results, row, trial)[0] for row in rows])

    def residuals(theta: np.ndarray, model: np.ndarray) -> np.ndarray:
        fit = (model - reported_values) / (np.abs(reported_values) * TOLERANCE_PCT / 100)
        return np.concatenate([fit, np.where(np.isfinite(spread), (theta - start) / spread, 0.0)])

    theta = np.clip(start, low, high)
    model = models(theta)
    r = residuals(theta, model)
    jacobian = np.zeros((len(r), len(theta)))

    def descend(moving: np.ndarray) -> None:
        nonlocal theta, model, r
        damping = 1e-2
        for _ in range(MAX_STEPS):
            for j in np.flatnonzero(moving):
                h = _step(unknowns[j], theta[j])
                moved = theta.copy()
                moved[j] = theta[j] + h if theta[j] + h <= high[j] else theta[j] - h
                jacobian[:, j] = (residuals(moved, models(moved)) - r) / (moved[j] - theta[j])
            part = jacobian[:, moving]
            improved = False
            for _ in range(6):
                normal = part.T @ part
                trial = theta.copy()
                trial[moving] -= np.linalg.solve(normal + damping * np.diag(np.diag(normal) + 1e-9), part.T @ r)
                trial = np.clip(trial, low, high)
                trial_model = models(trial)
                trial_r = residuals(trial, trial_model)
                if trial_r @ trial_r < r @ r:
                    improved = r @ r - trial_r @ trial_r > 1e-9 * max(r @ r, 1e-12)
                    theta, model, r, damping = trial, trial_model, trial_r, damping / 3
                    break
                damping *= 10
            if not improved:
                return

    descend(np.ones(len(theta), bool))
    # The values with no national figure are set by their own figures alone (cases and the grant per
    # case by 临时救助's count and money): finish them on their own, where a joint step would also
    # move a share across the roll's whole-person steps and be refused for it.
    free = ~np.isfinite(spread)
    if free.any() and not free.all():
        descend(free)
    return theta, model, jacobian


def _step(unknown: Unknown, value: float) -> float:
    """A difference step wider than the roll's rounding: a share moves whole persons only."""
    return 0.02 if unknown.high <= 1 else max(abs(value) * 0.02, 0.05)


def _with_values(params, unknowns, theta, day: dt.date):
    leaves = dict(params.leaves)
    for unknown, value in zip(unknowns, theta):
        leaf = leaves[unknown.path]
        earlier = tuple(e for e in leaf.entries if e.start < day)
        fitted = param_leaves.Entry(day, float(value), "calibration", "fit", ("fit",))
        leaves[unknown.path] = replace(leaf, entries=earlier + (fitted,))
    return params.with_leaves(leaves, params.scenario)
