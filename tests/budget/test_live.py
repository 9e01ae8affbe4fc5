"""The explorer's budget-year range (civsim.budget.live): the budget window's own P10 and P90 for
the same draws and scenario, recomputed as the controls move."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from civsim import budget, explorer, params, scenarios
from civsim.budget.live import LIVE_DRAWS, LiveRange
from civsim.scenarios import Change, Scenario

DRAWS = 8


def total_row(projection, scenario):
    lines = projection.lines
    return lines[(lines["scenario"] == scenario) & (lines["program"] == budget.TOTAL)].iloc[0]


@pytest.fixture(scope="module")
def live():
    return LiveRange(params.load("东西湖区"), 2021, draws=DRAWS)


def test_the_range_is_the_budget_windows_own_for_the_same_draws(live):
    raise5 = Scenario(
        "raise5", "城市低保标准提高5%", (Change("dibao.standard.urban", dt.date(2021, 3, 1), None, percent=5.0),)
    )
    projection = budget.project("东西湖区", 2021, [raise5], draws=DRAWS, years=1)
    base = params.load("东西湖区")
    for name, shown in (("baseline", live.range()), ("raise5", live.range(scenarios.apply(base, raise5, 2021)))):
        row = total_row(projection, name)
        assert (shown.p10_yuan, shown.p90_yuan) == (row["p10_yuan"], row["p90_yuan"])
        assert shown.mean_yuan == pytest.approx(row["mean_yuan"], abs=0.01 * DRAWS)  # the mean of the draws' totals
        assert shown.draws == DRAWS and shown.p10_yuan < shown.p90_yuan
    assert live.range().p10_yuan < live.range(scenarios.apply(base, raise5, 2021)).p10_yuan


def test_a_change_of_the_roll_rates_moves_the_range_and_back(live):
    base = params.load("东西湖区")
    first = live.range()
    faster = Scenario("exit", "退出更快", (Change("dibao.exit_rate", dt.date(2021, 1, 1), None, percent=50.0),))
    moved = live.range(scenarios.apply(base, faster, 2021))
    assert moved.p90_yuan < first.p90_yuan  # more leave 低保: less money
    assert live.range(base) == first  # the base's parameters run again after the change: the same range


def test_the_base_range_is_computed_once(monkeypatch):
    live = LiveRange(params.load("东西湖区"), 2021, draws=2)
    runs = []
    full_runs = live.model.full_runs
    monkeypatch.setattr(live.model, "full_runs", lambda *a, **k: runs.append(1) or full_runs(*a, **k))
    first = live.range()
    assert live.range() is first and len(runs) == 1
    assert live.range(params.load("东西湖区")) == first and len(runs) == 2


def test_the_explorer_shows_the_range_beside_the_total_and_moves_it_with_a_control():
    ex = explorer.build("东西湖区", 2021, debounce=None)
    shown = ex.range_box.value
    assert "预算年度区间（P10–P90）" in shown and "万元" in shown and 'data-pending="0"' in shown
    p10 = float(re.search(r'data-p10="([\d.]+)"', shown).group(1))
    assert p10 == ex.budget_range.p10_yuan and ex.budget_range.draws == LIVE_DRAWS  # the page's own number
    ex.control("dibao.standard.urban").percent.value = 10
    ex.recompute()
    moved = float(re.search(r'data-p10="([\d.]+)"', ex.range_box.value).group(1))
    assert moved > p10 and moved == ex.budget_range.p10_yuan
    assert ex.budget_range == ex.model.budget_range(ex.scenario)
