"""Next year's budget per program: a point forecast with a range, and why it moved.

``project(district, year, scenarios)`` simulates "this year" (``year − 1``, the baseline: what is
already decided) and next year (``year``) under the baseline and each scenario, on one roll, and
answers the finance office's three questions per program:

* **how much next year** — the P50 of a seeded Monte Carlo, with P10 and P90;
* **why it moved** — the change from this year split into a *price* effect (average benefit per
  person-time) and a *volume* effect (person-times) by the symmetric (Shapley, midpoint) split,
  which adds up exactly: with amount = price × volume,
  ``price effect = (p1 − p0)(q0 + q1)/2`` and ``volume effect = (q1 − q0)(p0 + p1)/2``;
* **the 临时救助 street reserve** — ``temporary.street_reserve`` percent × this year's 低保 total.

Assumptions of the Monte Carlo (also written to the workbook's 假设与说明 sheet):

* **Roll dynamics.** Each draw scales ``dibao.entry_rate`` and ``dibao.exit_rate`` by two
  independent factors, each uniform on ``RATE_FACTOR`` = [0.7, 1.3] (±30 % around the MCA national
  turnover of about 1.1 % a month each way). Take-up and the roll itself stay fixed.
* **Prices.** Next year's monthly CPI y/y and food CPI y/y follow a random walk from the last
  observed month of this year: each month adds a normal step whose standard deviation is that of
  the series' month-to-month changes over the ``CPI_WINDOW`` = 36 months ending in December of
  this year (no look-ahead); values are rounded to 0.1 as published. Only the 价格临时补贴 lines
  depend on it (they pay when a trigger fires).
* Every scenario sees the same draws (common random numbers), so a scenario equal to the baseline
  differs from it by exactly zero, and differences come from policy alone.
* Draw ``d`` uses its own generator seeded by (seed, district code, year, d): a projection with more
  draws extends one with fewer, and the same seed gives the same numbers.

The 合计 (total) row is additive: its P50, person-times and effects are the sums of the programs'
(a budget request is the sum of its lines); its P10/P90 are quantiles of the drawn totals, widened
to include the P50 if the sum of medians falls outside them. Money is held to the fen.
"""
from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import cpi as cpi_module, engine, params as params_module, scenarios as scenarios_module
from .errors import CivsimError
from .report.labels import program_label

RATE_FACTOR = (0.7, 1.3)
CPI_WINDOW = 36
CPI_STEP_FALLBACK = {"cpi_yoy_pct": 0.5, "food_cpi_yoy_pct": 2.2}   # when the window has < 2 changes
BASELINE = "baseline"
TOTAL = "total"

PROGRAMS = (
    "dibao", "tekun", "low_income", "temporary", "disability_living", "disability_nursing", "orphan",
    "unsupported_child", "elderly_allowance", "home_care", "care_institution", "funeral", "spring_festival",
    "dibao_price_subsidy", "tekun_price_subsidy", "orphan_price_subsidy", "unsupported_child_price_subsidy",
    "dibao_one_off", "disability_nursing_one_off",
)

# Tidy column -> Chinese header (money columns in 万元 in the workbook).
PROGRAM_HEADERS = {
    "scenario": "方案", "scenario_title": "方案说明", "label": "项目",
    "this_year_yuan": "本年支出（万元）", "this_year_person_times": "本年人次",
    "next_p10_yuan": "下年预测P10（万元）", "next_p50_yuan": "下年预测P50（万元）",
    "next_p90_yuan": "下年预测P90（万元）", "next_person_times_p50": "下年人次P50",
    "change_yuan": "增减额（万元）", "price_effect_yuan": "其中：价格因素（万元）",
    "volume_effect_yuan": "其中：数量因素（万元）", "mc_se_yuan": "抽样标准误（万元）",
}
RESERVE_HEADERS = {
    "scenario": "方案", "scenario_title": "方案说明", "this_year_dibao_yuan": "本年低保支出（万元）",
    "reserve_percent": "备用金比例（%）", "reserve_yuan": "下年街道临时救助备用金（万元）", "note": "说明",
}
ASSUMPTION_HEADERS = {"item": "项目", "value": "取值", "note": "说明"}
SHEETS = {"programs": "分项目预测", "comparison": "方案对比", "reserve": "临时救助备用金", "assumptions": "假设与说明"}


@dataclass(frozen=True)
class Projection:
    """Next year's projection: tidy tables (money in yuan, to the fen), baseline first.

    * ``programs`` — one row per scenario × program (and a 合计 row per scenario).
    * ``comparison`` — programs down, scenarios across: this year, each scenario's P50 and its
      difference from the baseline P50.
    * ``reserve`` — the 临时救助 street reserve per scenario.
    * ``assumptions`` — the Monte Carlo settings and ranges actually used.
    * ``samples`` — every draw: scenario, draw, program, amount_yuan, person_times.
    """
    district: str
    district_name: str
    year: int
    draws: int
    seed: int
    scenarios: tuple[str, ...]
    programs: pd.DataFrame = field(repr=False)
    comparison: pd.DataFrame = field(repr=False)
    reserve: pd.DataFrame = field(repr=False)
    assumptions: pd.DataFrame = field(repr=False)
    samples: pd.DataFrame = field(repr=False)

    @property
    def this_year(self) -> int:
        return self.year - 1

    def total(self, scenario: str = BASELINE) -> pd.Series:
        """The 合计 row of one scenario."""
        rows = self.programs[(self.programs["scenario"] == scenario) & (self.programs["program"] == TOTAL)]
        if rows.empty:
            raise CivsimError("projection", "scenario", f"no scenario {scenario!r}", " or ".join(self.scenarios))
        return rows.iloc[0]

    def sheets(self) -> dict[str, pd.DataFrame]:
        """The tables as the workbook shows them: Chinese headers, money in 万元."""
        return {SHEETS[name]: _chinese(self, name) for name in SHEETS}


# ---------------------------------------------------------------- the Monte Carlo inputs

def _cpi_start(year: int) -> dict:
    """Last observed value and random-walk step s.d. of each CPI series at the end of ``year``."""
    table = cpi_module.series()
    table = table[table.index <= pd.Period(f"{year}-12", "M")]
    out = {}
    for column in ("cpi_yoy_pct", "food_cpi_yoy_pct"):
        values = table[column].dropna()
        last_month = str(values.index[-1]) if len(values) else None
        last = float(values.iloc[-1]) if len(values) else 0.0
        window = table[column].iloc[-CPI_WINDOW:].diff().dropna()
        step = float(window.std()) if len(window) >= 2 else CPI_STEP_FALLBACK[column]
        out[column] = {"last": last, "month": last_month, "step": round(step, 3), "changes": len(window)}
    return out


def _draw(seed: int, code: str, year: int, d: int, start: dict) -> tuple[float, float, np.ndarray, np.ndarray]:
    """Draw ``d``: entry and exit factors, and 12 months of CPI and food CPI y/y."""
    rng = np.random.default_rng([seed, int(code), year, d])
    entry, exit_ = rng.uniform(*RATE_FACTOR, size=2)
    paths = []
    for column in ("cpi_yoy_pct", "food_cpi_yoy_pct"):
        s = start[column]
        paths.append(np.round(s["last"] + np.cumsum(rng.normal(0.0, s["step"], 12)), 1))
    return float(entry), float(exit_), paths[0], paths[1]


def _scaled(paramset, entry: float, exit_: float):
    """The parameter set with both roll rates scaled (all dates), scenario name kept."""
    changes = tuple(scenarios_module.Change(path, dt.date(1900, 1, 1), None, percent=(factor - 1) * 100)
                    for path, factor in (("dibao.entry_rate", entry), ("dibao.exit_rate", exit_))
                    if paramset.has(path))
    if not changes:
        return paramset
    drawn = scenarios_module.apply(paramset, scenarios_module.Scenario("mc_draw", "", changes))
    return drawn.with_leaves(drawn.leaves, paramset.scenario)


def _totals(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.groupby("program", sort=False)[["amount_yuan", "person_times"]].sum()


# ---------------------------------------------------------------- the split

def _fen(yuan) -> np.ndarray:
    return np.round(np.asarray(yuan, dtype=np.float64) * 100).astype(np.int64)


def split(this_yuan: float, this_q: float, next_yuan: float, next_q: float) -> tuple[float, float]:
    """(price effect, volume effect) in yuan, to the fen, adding up exactly to the change.

    Symmetric (Shapley) split of amount = price × volume, with price = amount ÷ person-times. A
    program paid with no person-times (e.g. per bed) moves by price alone; one that starts or stops
    moves by volume alone. Fen are integers here, so the two effects add up exactly (as floats in
    yuan, exactly while they stay below about 9 × 10^13 yuan).
    """
    change = round(next_yuan * 100) - round(this_yuan * 100)
    if this_q > 0 and next_q > 0:
        p0, p1 = this_yuan / this_q, next_yuan / next_q
        price = round((p1 - p0) * (this_q + next_q) / 2 * 100)
    elif this_q <= 0 and next_q <= 0:
        price = change
    else:
        price = 0
    return price / 100, (change - price) / 100


# ---------------------------------------------------------------- the projection

def _scenario_sets(base, year: int, chosen) -> list:
    sets = [(base, "基准")]
    for item in chosen:
        scenario = item if isinstance(item, scenarios_module.Scenario) else scenarios_module.load(item)
        if scenario.name == BASELINE or scenario.name in [p.scenario for p, _ in sets]:
            raise CivsimError(scenario.file or "scenarios", "name", f"scenario {scenario.name!r} given twice or "
                              "named like the baseline", "distinct scenario names other than 'baseline'")
        sets.append((scenarios_module.apply(base, scenario, year), scenario.title))
    return sets


def project(district, year: int, scenarios=(), draws: int = 200, seed: int = 1) -> Projection:
    """Project ``year`` (next year) from ``year − 1`` (this year) for the baseline and each scenario.

    ``scenarios`` are names under params/scenarios or :class:`civsim.scenarios.Scenario` objects.
    Deterministic for a seed; see the module docstring for the Monte Carlo assumptions.
    """
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or draws < 1:
        raise CivsimError("project", "draws", f"bad number of draws {draws!r}", "an integer of 1 or more")
    if isinstance(year, bool) or not isinstance(year, (int, np.integer)):
        raise CivsimError("project", "year", f"bad year {year!r}", "a calendar year such as 2021")
    year, draws = int(year), int(draws)
    base = params_module.load(district)
    code = base.district.code
    sets = _scenario_sets(base, year, scenarios)
    names = [p.scenario for p, _ in sets]

    this_sim = engine.Simulation(base, year - 1, seed)
    this = _totals(this_sim.run(base))
    next_sim = engine.Simulation(base, year, seed, roll=this_sim.roll)
    start = _cpi_start(year - 1)

    rows = []
    for d in range(draws):
        entry, exit_, cpi_path, food_path = _draw(seed, code, year, d, start)
        next_sim.cpi, next_sim.food = cpi_path, food_path
        for paramset, _ in sets:
            totals = _totals(next_sim.run(_scaled(paramset, entry, exit_)))
            rows += [(paramset.scenario, d, program, a, q) for program, (a, q) in
                     zip(totals.index, totals.itertuples(index=False))]
        next_sim.clear_paths()   # each draw's rates are new: hold no income path past its draw
    samples = pd.DataFrame(rows, columns=["scenario", "draw", "program", "amount_yuan", "person_times"])

    present = set(this.index[(this["amount_yuan"] != 0) | (this["person_times"] != 0)])
    present |= set(samples.loc[(samples["amount_yuan"] != 0) | (samples["person_times"] != 0), "program"])
    order = [p for p in PROGRAMS if p in present] + sorted(present - set(PROGRAMS))
    samples = _complete(samples, names, draws, order)

    titles = dict((p.scenario, t) for p, t in sets)
    programs = _programs_table(this, samples, names, titles, order, draws)
    reserve = _reserve_table(this, sets, year)
    assumptions = _assumptions_table(draws, seed, year, start, base)
    return Projection(code, base.district.name, year, draws, seed, tuple(names), programs,
                      _comparison_table(programs, names, titles), reserve, assumptions, samples)


def _complete(samples: pd.DataFrame, names, draws: int, order) -> pd.DataFrame:
    """Every scenario × draw × program, zero where a run paid nothing."""
    index = pd.MultiIndex.from_product([names, range(draws), order], names=["scenario", "draw", "program"])
    full = samples.groupby(["scenario", "draw", "program"]).sum().reindex(index, fill_value=0.0)
    return full.reset_index()


def _programs_table(this: pd.DataFrame, samples: pd.DataFrame, names, titles, order, draws) -> pd.DataFrame:
    rows = []
    for name in names:
        data = samples[samples["scenario"] == name]
        amount = data.pivot(index="draw", columns="program", values="amount_yuan")[order].to_numpy()
        volume = data.pivot(index="draw", columns="program", values="person_times")[order].to_numpy()
        p10, p50, p90 = np.percentile(amount, [10, 50, 90], axis=0)
        q50 = np.median(volume, axis=0)
        se = amount.std(axis=0, ddof=1) / np.sqrt(draws) if draws > 1 else np.full(len(order), np.nan)
        fen = {"this": [], "p50": [], "price": [], "volume": [], "q0": [], "q1": []}
        for i, program in enumerate(order):
            a0 = float(this["amount_yuan"].get(program, 0.0))
            q0 = float(this["person_times"].get(program, 0.0))
            price, vol = split(a0, q0, p50[i], q50[i])
            rows.append({"scenario": name, "scenario_title": titles[name], "program": program,
                         "label": program_label(program),
                         "this_year_yuan": _fen(a0) / 100, "this_year_person_times": round(q0, 2),
                         "next_p10_yuan": _fen(p10[i]) / 100, "next_p50_yuan": _fen(p50[i]) / 100,
                         "next_p90_yuan": _fen(p90[i]) / 100, "next_person_times_p50": round(float(q50[i]), 2),
                         "change_yuan": (_fen(p50[i]) - _fen(a0)) / 100, "price_effect_yuan": price,
                         "volume_effect_yuan": vol, "mc_se_yuan": float(np.round(se[i], 2))})
            fen["this"].append(_fen(a0)), fen["p50"].append(_fen(p50[i])), fen["price"].append(_fen(price))
            fen["volume"].append(_fen(vol)), fen["q0"].append(q0), fen["q1"].append(float(q50[i]))
        drawn = amount.sum(axis=1)
        t10, t90 = np.percentile(drawn, [10, 90])
        p50_total = int(np.sum(fen["p50"]))
        rows.append({"scenario": name, "scenario_title": titles[name], "program": TOTAL, "label": "合计",
                     "this_year_yuan": int(np.sum(fen["this"])) / 100,
                     "this_year_person_times": round(float(np.sum(fen["q0"])), 2),
                     "next_p10_yuan": min(int(_fen(t10)), p50_total) / 100, "next_p50_yuan": p50_total / 100,
                     "next_p90_yuan": max(int(_fen(t90)), p50_total) / 100,
                     "next_person_times_p50": round(float(np.sum(fen["q1"])), 2),
                     "change_yuan": (p50_total - int(np.sum(fen["this"]))) / 100,
                     "price_effect_yuan": int(np.sum(fen["price"])) / 100,
                     "volume_effect_yuan": int(np.sum(fen["volume"])) / 100,
                     "mc_se_yuan": float(np.round(drawn.std(ddof=1) / np.sqrt(draws), 2)) if draws > 1 else np.nan})
    return pd.DataFrame(rows)


def _comparison_table(programs: pd.DataFrame, names, titles) -> pd.DataFrame:
    base = programs[programs["scenario"] == BASELINE].set_index("program")
    table = pd.DataFrame({"program": base.index, "label": base["label"].to_numpy(),
                          "this_year_yuan": base["this_year_yuan"].to_numpy()})
    for name in names:
        rows = programs[programs["scenario"] == name].set_index("program").reindex(base.index)
        table[f"{name}:p50_yuan"] = rows["next_p50_yuan"].to_numpy()
        if name != BASELINE:
            diff = _fen(rows["next_p50_yuan"].to_numpy()) - _fen(base["next_p50_yuan"].to_numpy())
            table[f"{name}:diff_yuan"] = diff / 100
    return table


def _reserve_table(this: pd.DataFrame, sets, year: int) -> pd.DataFrame:
    from .programs.temporary import street_reserve

    dibao = float(_fen(this["amount_yuan"].get("dibao", 0.0))) / 100
    rows = []
    for paramset, title in sets:
        percent = paramset.get("temporary.street_reserve", dt.date(year, 1, 1), np.nan)
        row = {"scenario": paramset.scenario, "scenario_title": title, "this_year_dibao_yuan": dibao,
               "reserve_percent": percent}
        if np.isfinite(percent):
            row.update(reserve_yuan=_fen(street_reserve(dibao, percent)) / 100,
                       note=f"{year}年1月起备用金比例 × {year - 1}年低保支出（低保金，不含补贴）")
        else:
            row.update(reserve_yuan=np.nan, note="本区参数中没有街道临时救助备用金比例（temporary.street_reserve）")
        rows.append(row)
    return pd.DataFrame(rows)


def _assumptions_table(draws: int, seed: int, year: int, start: dict, base) -> pd.DataFrame:
    day = dt.date(year, 1, 1)
    cpi, food = start["cpi_yoy_pct"], start["food_cpi_yoy_pct"]
    rows = [
        ("预测年度", f"{year}年", f"本年为{year - 1}年：基准方案在同一名册上的模拟（已定政策）"),
        ("蒙特卡洛抽样次数", str(draws), "P10/P50/P90 为各次抽样的分位数"),
        ("随机种子", str(seed), "同一种子结果相同；第d次抽样只取决于（种子、区划代码、年度、d）"),
        ("低保月进入率系数", f"{RATE_FACTOR[0]:.2f}–{RATE_FACTOR[1]:.2f}（均匀分布）",
         f"乘以参数值 {base.get('dibao.entry_rate', day, 0.0):.4f}/月；与退出率系数相互独立"),
        ("低保月退出率系数", f"{RATE_FACTOR[0]:.2f}–{RATE_FACTOR[1]:.2f}（均匀分布）",
         f"乘以参数值 {base.get('dibao.exit_rate', day, 0.0):.4f}/月"),
        ("CPI同比起点", f"{cpi['last']:.1f}%（{cpi['month']}）", "下年各月为随机游走，保留一位小数"),
        ("CPI同比月度步长标准差", f"{cpi['step']:.3f}个百分点",
         f"本年12月前{CPI_WINDOW}个月环比变化的标准差（{cpi['changes']}个变化）"),
        ("食品CPI同比起点", f"{food['last']:.1f}%（{food['month']}）", "下年各月为随机游走，保留一位小数"),
        ("食品CPI同比月度步长标准差", f"{food['step']:.3f}个百分点",
         f"本年12月前{CPI_WINDOW}个月环比变化的标准差（{food['changes']}个变化）"),
        ("共同随机数", "是", "各方案使用相同抽样，方案差异只来自政策"),
        ("价格/数量分解", "对称（Shapley）分解",
         "价格因素=(人均次支出变化)×(两年人次均值)；数量因素=(人次变化)×(两年人均次支出均值)；二者之和等于增减额"),
        ("合计行", "各项目之和", "合计的P50、人次与分解为各项目之和；P10/P90为各次抽样合计的分位数"),
        ("金额单位", "万元", "表中金额由元折算，精确到分"),
    ]
    return pd.DataFrame(rows, columns=["item", "value", "note"])


# ---------------------------------------------------------------- output

MONEY = {"this_year_yuan", "next_p10_yuan", "next_p50_yuan", "next_p90_yuan", "change_yuan", "price_effect_yuan",
         "volume_effect_yuan", "mc_se_yuan", "this_year_dibao_yuan", "reserve_yuan"}


def _scenario_label(name: str) -> str:
    return "基准" if name == BASELINE else name


def _chinese(projection: Projection, name: str) -> pd.DataFrame:
    if name == "programs":
        table = projection.programs.copy()
        headers = PROGRAM_HEADERS
    elif name == "reserve":
        table = projection.reserve.copy()
        headers = RESERVE_HEADERS
    elif name == "assumptions":
        return projection.assumptions.rename(columns=ASSUMPTION_HEADERS)
    else:
        table = projection.comparison.copy()
        headers = {"label": "项目", "this_year_yuan": "本年支出（万元）"}
        for column in table.columns:
            if ":" in column:
                scenario, kind = column.split(":")
                label = _scenario_label(scenario)
                headers[column] = (f"{label} 下年预测P50（万元）" if kind == "p50_yuan"
                                   else f"{label} 较基准增减（万元）")
        table = table.drop(columns=["program"])
        for column in table.columns:
            if column.endswith("_yuan"):
                table[column] = table[column] / 10_000
        return table.rename(columns=headers)
    if "scenario" in table:
        table["scenario"] = table["scenario"].map(_scenario_label)
    for column in table.columns:
        if column in MONEY:
            table[column] = table[column] / 10_000
    return table[[c for c in headers if c in table.columns]].rename(columns=headers)


def to_xlsx(projection: Projection, path) -> Path:
    """Write the projection as an .xlsx workbook (atomically): one sheet per table, Chinese
    headers, money in 万元 shown with two decimals (full precision kept in the cell)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from .atomic import atomic_path

    book = Workbook()
    book.remove(book.active)
    for title, table in projection.sheets().items():
        sheet = book.create_sheet(title)
        sheet.append(list(table.columns))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for record in table.itertuples(index=False):
            sheet.append([None if isinstance(v, float) and np.isnan(v) else
                          (v.item() if isinstance(v, np.generic) else v) for v in record])
        for i, header in enumerate(table.columns, start=1):
            letter = get_column_letter(i)
            money = "万元" in str(header)
            counts = "人次" in str(header)
            if money or counts:
                for cell in sheet[letter][1:]:
                    cell.number_format = "#,##0.00"
            width = max([_width(header)] + [_width(v) for v in table.iloc[:, i - 1]][:200])
            sheet.column_dimensions[letter].width = min(max(10, width + 2), 60)
        sheet.freeze_panes = "A2"
    with atomic_path(path) as tmp:
        book.save(tmp)
    return Path(path)


def _width(value) -> int:
    if isinstance(value, float):
        return 14
    text = str(value)
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)


def chart(projection: Projection):
    """Per program: this year, and each scenario's next-year P50 with its P10–P90 range (万元)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from .report.charts import use_cjk_font

    use_cjk_font()
    table = projection.programs[projection.programs["program"] != TOTAL]
    labels = list(dict.fromkeys(table["label"]))
    series = [("本年", table[table["scenario"] == BASELINE]["this_year_yuan"].to_numpy() / 1e4, None)]
    for name in projection.scenarios:
        rows = table[table["scenario"] == name]
        p50 = rows["next_p50_yuan"].to_numpy() / 1e4
        err = np.vstack([p50 - rows["next_p10_yuan"].to_numpy() / 1e4, rows["next_p90_yuan"].to_numpy() / 1e4 - p50])
        series.append((f"下年P50·{_scenario_label(name)}", p50, np.clip(err, 0, None)))
    fig = Figure(figsize=(9, 0.45 * len(labels) * max(2, len(series)) / 2 + 1.5), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    height = 0.8 / len(series)
    y = np.arange(len(labels))
    for i, (name, values, err) in enumerate(series):
        ax.barh(y + (i - (len(series) - 1) / 2) * height, values, height, xerr=err, label=name,
                color="#9aa5b1" if i == 0 else None, error_kw={"elinewidth": 1, "capsize": 2})
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel("金额（万元）；误差线为P10–P90")
    ax.set_title(f"{projection.district_name}{projection.year}年各项目支出预测")
    ax.grid(axis="x", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False)
    return fig


def _print_table(projection: Projection, out=None) -> None:
    from .report.numbers import wan_yuan

    out = out or sys.stdout
    print(f"{projection.district_name} {projection.year}年预算预测（{projection.year - 1}年为本年；"
          f"抽样{projection.draws}次，种子{projection.seed}）", file=out)
    for name in projection.scenarios:
        rows = projection.programs[projection.programs["scenario"] == name]
        title = rows["scenario_title"].iloc[0]
        print(f"\n方案：{title}" + ("" if name == BASELINE else f"（{name}）"), file=out)
        header = ["项目", "本年", "下年P50", "P10–P90", "增减", "价格因素", "数量因素"]
        lines = [header]
        for r in rows.itertuples(index=False):
            lines.append([r.label, wan_yuan(r.this_year_yuan), wan_yuan(r.next_p50_yuan),
                          f"{wan_yuan(r.next_p10_yuan)[:-2]}–{wan_yuan(r.next_p90_yuan)}",
                          wan_yuan(r.change_yuan), wan_yuan(r.price_effect_yuan), wan_yuan(r.volume_effect_yuan)])
        widths = [max(_width(line[i]) for line in lines) for i in range(len(header))]
        for line in lines:
            cells = [line[0] + " " * (widths[0] - _width(line[0]))]
            cells += [" " * (widths[i] - _width(v)) + v for i, v in enumerate(line[1:], start=1)]
            print("  ".join(cells), file=out)
    for r in projection.reserve.itertuples(index=False):
        if np.isfinite(r.reserve_percent):
            print(f"\n临时救助街道备用金（{_scenario_label(r.scenario)}）：{r.reserve_percent:g}% × 本年低保"
                  f"{wan_yuan(r.this_year_dibao_yuan)} = {wan_yuan(r.reserve_yuan)}", file=out)


def main(district, year: int, scenarios=(), draws: int = 200, xlsx=None) -> int:
    """``civsim project``: print a short table; write the workbook if asked."""
    projection = project(district, year, scenarios=list(scenarios or ()), draws=draws)
    _print_table(projection)
    if xlsx:
        to_xlsx(projection, xlsx)
        print(f"wrote {xlsx}", file=sys.stderr)
    return 0


__all__ = ["Projection", "project", "to_xlsx", "chart", "split", "main", "RATE_FACTOR", "CPI_WINDOW"]
