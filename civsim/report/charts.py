"""Charts for the reports, from the engine's tidy results, with Chinese labels drawn as real glyphs.

matplotlib's default font has no Chinese, and a missing glyph is only a warning: the chart still
saves, with empty boxes where the words were. So every chart first selects a CJK font and fails
loudly, naming the fix, when there is none.

Figures are built with ``matplotlib.figure.Figure`` (Agg canvas), not pyplot: a notebook shows the
returned figure once, and a batch of hundreds of reports does not keep figures alive in pyplot.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Iterable

import matplotlib
import pandas as pd
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..atomic import atomic_path
from ..errors import CivsimError
from .labels import BASELINE, PROGRAM_LABELS, order, program_label

# Debian's fonts-noto-cjk; matplotlib may list the collection under its JP face name only.
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Noto Sans CJK JP")
CJK_FILE_HINTS = ("NotoSansCJK", "NotoSansSC")

RESULT_COLUMNS = (
    "jurisdiction",
    "scenario",
    "month",
    "program",
    "area",
    "households",
    "persons",
    "person_times",
    "amount_yuan",
)
_PALETTE = matplotlib.colormaps["tab20"].colors


def _find_cjk_family() -> str | None:
    names = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in names), None)


def use_cjk_font() -> str:
    """Make matplotlib draw Chinese with Noto Sans CJK and return the family name it uses.

    Fonts installed after matplotlib built its font cache are missing from the cache, so the system
    font folders are searched once more before giving up. In a notebook it also lets a returned
    Figure show as a picture.
    """
    family = _find_cjk_family()
    if family is None:
        for path in font_manager.findSystemFonts():
            if any(hint in Path(path).name for hint in CJK_FILE_HINTS):
                font_manager.fontManager.addfont(path)
        family = _find_cjk_family()
    if family is None:
        raise CivsimError(
            "matplotlib fonts",
            "font.family",
            "no Chinese (CJK) font found, charts would show "
            "empty boxes; install it with `apt-get install fonts-noto-cjk` (`make test` installs "
            "it)",
            " or ".join(CJK_FAMILIES),
        )
    matplotlib.rcParams["font.family"] = [family, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False  # U+2212 is not in every font; use "-"
    _show_figures_in_notebooks()
    return family


def _figure_png(fig: Figure, dpi: int = 200) -> tuple[bytes, dict]:
    """PNG at print resolution, shown at its on-screen size (as IPython's "retina" format does)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    data = buffer.getvalue()
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    scale = fig.get_dpi() / dpi
    return data, {"width": round(width * scale), "height": round(height * scale)}


def _show_figures_in_notebooks() -> None:
    """Let a notebook show a returned Figure as a picture even when pyplot was never imported.

    IPython only knows how to draw figures once pyplot's inline backend is set up; without it a
    chart shows as "<Figure size 800x450 with 1 Axes>" in the report.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return
    formatter = shell.display_formatter.formatters["image/png"]
    try:
        formatter.lookup_by_type(Figure)
    except KeyError:
        formatter.for_type(Figure, _figure_png)


def _program_color(program: str):
    known = list(PROGRAM_LABELS)
    index = known.index(program) if program in known else len(known) + sum(map(ord, program))
    return _PALETTE[index % len(_PALETTE)]


def _check(results: pd.DataFrame, what: str, one_scenario: bool = True) -> pd.DataFrame:
    """The frame, checked: result columns, monthly Periods, one jurisdiction (and one scenario)."""
    if not isinstance(results, pd.DataFrame):
        raise CivsimError(what, None, f"got {type(results).__name__}", "the engine's result DataFrame")
    missing = [c for c in RESULT_COLUMNS if c not in results.columns]
    if missing:
        raise CivsimError(
            what, "columns", f"missing column(s) {', '.join(missing)}", "columns " + ", ".join(RESULT_COLUMNS)
        )
    if results.empty:
        raise CivsimError(what, None, "no rows", "at least one month of results")
    if results["month"].dtype != pd.PeriodDtype("M"):
        raise CivsimError(what, "month", f"column has dtype {results['month'].dtype}", "pandas Periods, freq M")
    keys = ("jurisdiction", "scenario") if one_scenario else ("jurisdiction",)
    for key in keys:
        values = sorted(map(str, results[key].unique()))
        if len(values) > 1:
            raise CivsimError(
                what,
                key,
                f"holds {len(values)} values {values}",
                f"one {key}; filter first, e.g. results[results.{key} == {values[0]!r}]",
            )
    return results


def _programs(frame: pd.DataFrame, programs: Iterable[str] | None, column: str) -> list[str]:
    """The programs to draw: those asked for, in that order, or all with a non-zero ``column``."""
    present = set(frame["program"])
    if programs is None:
        totals = frame.groupby("program")[column].sum()
        chosen = [p for p in present if totals.get(p, 0) != 0]
        if not chosen:
            raise CivsimError("results", column, "is zero for every program", "something to draw")
        return order(chosen)
    programs = list(programs)
    absent = [p for p in programs if p not in present]
    if absent:
        raise CivsimError(
            "results", "program", f"no rows for {', '.join(absent)}", "programs among " + ", ".join(sorted(present))
        )
    return programs


def _monthly(frame: pd.DataFrame, column: str, programs: list[str]) -> pd.DataFrame:
    """``column`` summed over areas: one row per month (no gaps), one column per program."""
    table = (
        frame[frame["program"].isin(programs)]
        .groupby(["month", "program"])[column]
        .sum()
        .unstack("program")
        .reindex(columns=programs)
    )
    months = pd.period_range(table.index.min(), table.index.max(), freq="M")
    return table.reindex(months).fillna(0)


def _month_labels(months: pd.PeriodIndex) -> list[str]:
    if len({m.year for m in months}) == 1:
        return [f"{m.month}月" for m in months]
    return [f"{m.year}年{m.month}月" for m in months]


def _figure(title: str, ylabel: str) -> tuple[Figure, Axes]:
    use_cjk_font()
    fig = Figure(figsize=(8, 4.5), layout="constrained")  # about A4 text width, so fonts stay readable
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _legend(ax: Axes, count: int) -> None:
    if count > 6:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    else:
        ax.legend(frameon=False)


def monthly_caseload(
    results: pd.DataFrame, programs: Iterable[str] | None = None, title: str = "各项目月度救助人数"
) -> Figure:
    """Persons per program per month, one line each (stocks, so lines are not stacked)."""
    frame = _check(results, "monthly_caseload")
    chosen = _programs(frame, programs, "persons")
    table = _monthly(frame, "persons", chosen)
    fig, ax = _figure(title, "人数（人）")
    x = range(len(table))
    for program in chosen:
        ax.plot(
            x, table[program], marker="o", markersize=3, color=_program_color(program), label=program_label(program)
        )
    ax.set_xticks(list(x), _month_labels(table.index))
    ax.set_ylim(bottom=0)
    _legend(ax, len(chosen))
    return fig


def monthly_money(
    results: pd.DataFrame, programs: Iterable[str] | None = None, title: str = "各项目月度支出"
) -> Figure:
    """万元 per program per month as stacked bars, so the bar height is the month's total."""
    frame = _check(results, "monthly_money")
    chosen = _programs(frame, programs, "amount_yuan")
    table = _monthly(frame, "amount_yuan", chosen) / 10_000
    fig, ax = _figure(title, "金额（万元）")
    x = list(range(len(table)))
    bottom = pd.Series(0.0, index=table.index)
    for program in chosen:
        ax.bar(x, table[program], bottom=bottom, color=_program_color(program), label=program_label(program))
        bottom = bottom + table[program]
    ax.set_xticks(x, _month_labels(table.index))
    _legend(ax, len(chosen))
    return fig


def _year_label(frame: pd.DataFrame, fallback: str) -> str:
    years = {m.year for m in frame["month"]}
    return f"{years.pop()}年" if len(years) == 1 else fallback


def year_on_year(this_year: pd.DataFrame, last_year: pd.DataFrame, title: str = "各项目年度支出同比") -> Figure:
    """Annual 万元 per program, this year beside last year."""
    this = _check(this_year, "year_on_year (this_year)")
    last = _check(last_year, "year_on_year (last_year)")
    if set(this["jurisdiction"]) != set(last["jurisdiction"]):
        raise CivsimError(
            "year_on_year",
            "jurisdiction",
            f"this year {sorted(set(this['jurisdiction']))} but last year {sorted(set(last['jurisdiction']))}",
            "the same jurisdiction in both frames",
        )
    programs = order(set(this["program"]) | set(last["program"]))
    sums = [
        frame.groupby("program")["amount_yuan"].sum().reindex(programs).fillna(0) / 10_000 for frame in (last, this)
    ]
    labels = [_year_label(last, "上年"), _year_label(this, "本年")]
    if labels[0] == labels[1]:
        labels = ["上年", "本年"]
    fig, ax = _figure(title, "金额（万元）")
    width = 0.4
    for offset, values, label, color in zip((-width / 2, width / 2), sums, labels, ("#9aa5b1", "#c0392b")):
        ax.bar([i + offset for i in range(len(programs))], values, width, label=label, color=color)
    tilt = {"rotation": 30, "ha": "right", "rotation_mode": "anchor"} if len(programs) > 5 else {}
    ax.set_xticks(range(len(programs)), [program_label(p) for p in programs], **tilt)
    ax.legend(frameon=False)
    return fig


def scenario_vs_baseline(
    results: pd.DataFrame, baseline: str = BASELINE, title: str = "方案与基准：月度支出合计"
) -> Figure:
    """Monthly total 万元 of the baseline and of each scenario, as lines on one axis."""
    frame = _check(results, "scenario_vs_baseline", one_scenario=False)
    scenarios = sorted(set(map(str, frame["scenario"])) - {baseline})
    if baseline not in set(frame["scenario"]) or not scenarios:
        raise CivsimError(
            "scenario_vs_baseline",
            "scenario",
            f"has {sorted(set(map(str, frame['scenario'])))}",
            f"the baseline {baseline!r} and at least one other scenario",
        )
    table = frame.groupby(["month", "scenario"])["amount_yuan"].sum().unstack("scenario") / 10_000
    table = table.reindex(pd.period_range(table.index.min(), table.index.max(), freq="M")).fillna(0)
    fig, ax = _figure(title, "金额（万元）")
    x = list(range(len(table)))
    ax.plot(x, table[baseline], color="#555555", linewidth=2, label="基准")
    for i, scenario in enumerate(scenarios):
        ax.plot(
            x, table[scenario], marker="o", markersize=3, color=_PALETTE[(2 * i + 6) % len(_PALETTE)], label=scenario
        )
    ax.set_xticks(x, _month_labels(table.index))
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False)
    return fig


def save_png(fig: Figure, path: str | os.PathLike, dpi: int = 150) -> Path:
    """Write the chart as PNG whole or not at all (temp file, then rename)."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=dpi)
    return Path(path)


__all__ = [
    "PROGRAM_LABELS",
    "use_cjk_font",
    "program_label",
    "monthly_caseload",
    "monthly_money",
    "year_on_year",
    "scenario_vs_baseline",
    "save_png",
]
