"""Draws as a dimension of the run: a block of Monte Carlo draws evaluated together over copies of
the roll gives, to the bit, what the draws give one by one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from civsim import budget, dynamics, engine, params, scenarios
from civsim.budget import projection as projection_module
from civsim.budget import window as window_module
from civsim.engine import draws as draws_module

PLUS5 = scenarios.parse(
    {
        "name": "plus5_2022",
        "title": "城乡低保标准2022年1月提高5%",
        "changes": [{"path": "dibao.standard", "from": "2022-01-01", "percent": 5}],
    }
)


@pytest.fixture(scope="module")
def window():
    base = params.load("东西湖区")
    sets = [budget.components.ParameterSets(p, (2021, 2022)) for p in (base, scenarios.apply(base, PLUS5))]
    return projection_module.Window(base, 2021, sets, years=2, split_draws=2)


def test_many_income_paths_at_once_are_each_path_alone():
    base = params.load("东西湖区")
    sim = engine.Simulation(base, 2021, months=pd.period_range("2021-01", "2022-12", freq="M"))
    entry, exit_, gap = sim.rates(base)
    factors = np.array([[0.7, 1.3], [1.0, 1.0], [1.3, 0.7], [2.0, 0.0]])
    together = sim.incomes(np.outer(factors[:, 0], entry), np.outer(factors[:, 1], exit_), gap)
    assert together.shape == (len(sim.months), len(factors), len(sim.pool))
    for i, (a, b) in enumerate(factors):
        alone = dynamics.income_path(sim.roll, sim.pool, sim.months, a * entry, b * exit_, gap).income
        assert np.array_equal(together[:, i], alone)
    assert not np.array_equal(together[:, 0], together[:, 2])  # the rates move the incomes


def test_a_block_of_draws_is_the_draws_one_by_one_to_the_bit(window, copies_runs):
    stacked = copies_runs
    together = window.block(range(5))
    assert stacked, "the block ran draw by draw"
    assert 3 in stacked, "the split's recurring and carried sets ran beside the full one"
    one_by_one = pd.concat([window.draw(d) for d in range(5)], ignore_index=True)
    pd.testing.assert_frame_equal(together, one_by_one, check_exact=True)
    assert together["split"].to_numpy().tolist() == (together["draw"] < 2).to_numpy().tolist()
    assert together.groupby("draw")["full"].sum().nunique() > 1  # the draws differ


def test_the_price_subsidy_is_paid_copy_by_copy_when_its_trigger_fires(window, food_up):
    """Draws whose food CPI reaches the trigger pay 价格临时补贴; the others do not, in the same block."""
    with food_up(window, {1, 3}) as run:
        together, one_by_one = run(4)
    pd.testing.assert_frame_equal(together, one_by_one, check_exact=True)
    price = together[together["program"].str.endswith("price_subsidy")]
    assert set(price.loc[price["full"] > 0, "draw"]) == {1, 3}


def test_copies_refuse_a_case_flow_they_cannot_split(window):
    copies = draws_module.Copies(window.window, 2)
    with pytest.raises(draws_module.NotStackable):
        copies.check(None)  # every program runs: 临时救助's cases have no roll to copy
    copies.check(window.fixed["baseline", "full"], window_module.DRAWN_LEAVES)


def test_the_projection_in_blocks_is_the_projection_draw_by_draw():
    blocks = budget.project("东西湖区", 2021, draws=4, seed=3, years=2)
    by_draw = budget.project(
        "东西湖区", 2021, draws=4, seed=3, years=2, runner=lambda f, xs: [f.__self__.draw(d) for x in xs for d in x]
    )
    pd.testing.assert_frame_equal(blocks.lines, by_draw.lines, check_exact=True)
    pd.testing.assert_frame_equal(blocks.samples, by_draw.samples, check_exact=True)


@pytest.mark.parametrize(
    "change, runs",
    [
        ({"path": "dibao.standard", "from": "2020-07-01", "percent": 5}, {"dibao", "price_subsidy"}),
        ({"path": "disability.nursing", "from": "2020-01-01", "percent": 10}, {"disability_nursing"}),
        ({"path": "dibao.entry_rate", "from": "2020-03-01", "percent": 40}, {"dibao", "disability_living"}),
        ({"path": "caseload.dibao", "from": "2020-01-01", "percent": 10}, None),  # the scenario's own roll
    ],
)
def test_a_scenario_reusing_the_baselines_lines_is_the_scenario_run_whole(change, runs):
    base = params.load("东西湖区")
    sim = engine.Simulation(base, 2020, 1)
    sets = engine.scenario_sets(base, [scenarios.parse({"name": "s", "changes": [change]})], 2020)
    whole = [sim.run(p) for p in sets]
    record: dict = {}
    sim.run(sets[0], record=record)
    fixed = sim.reusing(sets[0], record, sets[1])
    if runs is not None:  # what the change reaches runs again; the rest is the baseline's
        assert not runs & fixed.programs and "tekun" in fixed.programs
    for a, b in zip(whole, engine.runs(sim, sets)):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert not whole[1]["amount_yuan"].equals(whole[0]["amount_yuan"])
