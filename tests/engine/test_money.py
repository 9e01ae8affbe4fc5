"""Money in integer fen: each entity's month rounded as it is paid, every sum exact in any order."""

import numpy as np
import pandas as pd
import pytest

from civsim import engine, money, params


@pytest.mark.parametrize(
    "yuan, fen",
    [
        (0.005, 1),
        (0.004, 0),
        (12.345, 1235),
        (318.3333333, 31833),
        (636.6666667, 63667),
        (1289.7, 128970),
        (0, 0),
        (-0.005, -1),
        (2.675, 268),
    ],
)
def test_a_payment_is_rounded_half_up_to_the_fen(yuan, fen):
    assert money.fen(yuan) == fen


@pytest.mark.parametrize("yuan, fen", [(20.5, 2100), (20.49, 2000), (21.5, 2200), (0.5, 100)])
def test_a_rule_paying_whole_yuan_rounds_half_up_to_the_yuan(yuan, fen):
    # np.round would give 20 and 22 for 20.5 and 21.5 (half to even); a payment rounds half up
    assert money.fen(yuan, "yuan") == fen


def test_every_amount_is_whole_fen_and_its_sum_does_not_depend_on_the_order():
    frame = engine.simulate("东西湖区", 2021, params=params.load("东西湖区"))
    cents = frame["amount_yuan"].to_numpy() * 100
    assert np.abs(cents - np.round(cents)).max() < 1e-6
    # the table's yuan are the nearest doubles to whole fen, so a sum in any order rounds to one fen
    rng = np.random.default_rng(0)
    sums = {round(float(np.sum(frame["amount_yuan"].to_numpy()[rng.permutation(len(frame))])), 2) for _ in range(5)}
    sums.add(round(float(pd.Series(frame["amount_yuan"].to_numpy()[::-1]).sum()), 2))
    sums.add(round(sum(frame["amount_yuan"].tolist()), 2))
    assert len(sums) == 1


def test_the_per_entity_detail_adds_up_to_the_table_to_the_fen():
    p = params.load("东西湖区")
    sim = engine.Simulation(p, 2021, 1)
    frame, detail = sim.run(p, detail=True)
    for line in ("dibao", "tekun", "disability_living"):
        from_detail = money.fen(detail.frame(line)["amount_yuan"]).sum()
        assert from_detail == money.fen(frame.loc[frame.program == line, "amount_yuan"]).sum()
