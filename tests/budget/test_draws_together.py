"""The budget's draws evaluated together (a block over copies of the roll, the split's sets beside
the full one) against the draws one by one, to the bit, in districts with other programs than
东西湖区's: 翔安区 (低保 with its one-off grant, 特困, the disability subsidies, 临时救助) and 东丽区
(no 低保 pool; 价格临时补贴 over 孤儿, 高龄津贴, home care, care institutions, funerals)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from civsim import budget, params, scenarios
from civsim.budget import projection as projection_module
from civsim.budget import window as window_module

CASES = {  # district: (budget year, a scenario changing a standard it pays)
    "翔安区": (2024, {"path": "dibao.standard", "from": "2024-07-01", "percent": 5}),
    "东丽区": (2021, {"path": "disability.living", "from": "2021-01-01", "percent": 10}),
}


@pytest.fixture(scope="module", params=sorted(CASES))
def window(request):
    year, change = CASES[request.param]
    base = params.load(request.param)
    scenario = scenarios.parse({"name": "s", "title": "s", "changes": [change]})
    sets = [budget.components.ParameterSets(p, (year, year + 1)) for p in (base, scenarios.apply(base, scenario))]
    return projection_module.Window(base, year, sets, years=2, split_draws=2)


def test_a_block_is_its_draws_one_by_one_to_the_bit(window, copies_runs):
    runs = copies_runs
    together = window.block(range(4))
    assert runs and max(runs) == 3, "the block ran over copies, the split's sets beside the full one"
    one_by_one = pd.concat([window.draw(d) for d in range(4)], ignore_index=True)
    pd.testing.assert_frame_equal(together, one_by_one, check_exact=True)
    assert set(together["scenario"]) == {"baseline", "s"}
    assert together.groupby("draw")["full"].sum().nunique() == 4  # every draw its own numbers
    scenario, baseline = (together[together["scenario"] == s].groupby("draw")["full"].sum() for s in ("s", "baseline"))
    assert (scenario > baseline).all()  # the scenario's raise reaches the money


def test_draws_whose_prices_trigger_the_subsidy_pay_it_in_the_same_block(window, food_up):
    with food_up(window, {0, 2}) as run:
        together, one_by_one = run(4)
    pd.testing.assert_frame_equal(together, one_by_one, check_exact=True)
    price = together[together["program"].str.endswith("price_subsidy") & (together["full"] > 0)]
    if window.base.has("supplements.price.trigger_food"):
        assert set(price["draw"]) == {0, 2}
    else:
        assert price.empty


def test_the_sets_take_the_lines_no_change_of_theirs_reaches(window):
    """The recurring, carried and scenario sets' held lines, taken from the baseline's where their
    leaves are the same, are those the sets' own runs record."""
    for sets in window.sets:
        for kind, paramset in zip(budget.components.KINDS, sets):
            taken = window.fixed[sets.scenario, kind]
            own = window.window.fixed(paramset, leaves=window_module.DRAWN_LEAVES)
            assert taken.programs == own.programs and set(taken.blocks) == set(own.blocks)
            for key, lines in own.blocks.items():
                assert [line for line, _ in taken.blocks[key]] == [line for line, _ in lines]
                assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(taken.blocks[key], lines))
