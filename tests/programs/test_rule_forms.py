"""The rule forms beyond the gap, on a synthetic roll: 分档 households drawn at the roll's shares,
add-on classes drawn only where declared, and their shares among the roll's unknowns."""

import datetime as dt
from dataclasses import replace

import numpy as np

from civsim import engine, params, programs, synthetic
from civsim.param_leaves import Entry, Leaf


def _with(p, values: dict):
    leaves = dict(p.leaves)
    for path, value in values.items():
        unit = leaves[path].unit if path in leaves else {"flag": "flag"}.get(path.split(".")[-2], "ratio")
        leaf = leaves.get(path) or Leaf(path, unit, unit, (), "test")
        leaves[path] = replace(leaf, entries=(Entry(dt.date(2000, 1, 1), value, "test"),))
    return p.with_leaves(leaves, "baseline")


def test_a_tiered_area_draws_its_households_tiers_at_the_rolls_shares():
    base = params.load("东西湖区")
    p = _with(
        base, {"dibao.tiered.rural": 1, "dibao.tier_share.first.rural": 0.2, "dibao.tier_share.second.rural": 0.5}
    )
    roll = synthetic.synthesize(p, 2020)
    dibao = roll.households[roll.households["category"] == "dibao"]
    rural, urban = dibao[dibao["area"] == "rural"], dibao[dibao["area"] == "urban"]
    shares = np.bincount(rural["tier"], minlength=4)[1:] / len(rural)
    assert abs(shares[0] - 0.2) < 0.05 and abs(shares[1] - 0.5) < 0.05 and abs(shares[2] - 0.3) < 0.05
    assert (urban["tier"] == 0).all()  # the urban area pays the gap


def test_a_tiered_district_pays_by_its_tiers():
    base = params.load("东西湖区")
    gap = engine.simulate("东西湖区", 2020, params=base)
    tiered = _with(
        base,
        {
            "dibao.tiered.rural": 1,
            "dibao.tier.first.percent.rural": 90,
            "dibao.tier.second.percent.rural": 60,
            "dibao.tier.third.percent.rural": 30,
        },
    )
    by_tier = engine.simulate("东西湖区", 2020, params=tiered)
    money = lambda f, area: f[(f.program == "dibao") & (f.area == area)]["amount_yuan"].sum()  # noqa: E731
    assert money(by_tier, "urban") == money(gap, "urban")
    # a third in each 档 at 90/60/30% of the standard: about 60% of the standard per person
    persons = gap[(gap.program == "dibao") & (gap.area == "rural")]["persons"].sum()
    per_person = money(by_tier, "rural") / persons
    standard = np.mean([tiered.at("dibao.standard.rural", f"2020-{m:02d}") for m in range(1, 13)])
    assert 0.5 * standard < per_person < 0.7 * standard


def test_add_on_classes_are_drawn_only_where_declared():
    base = params.load("东西湖区")
    plain = synthetic.synthesize(base, 2020)
    assert (plain.persons["student"] == 0).all() and (plain.households["single_parent"] == 0).all()
    declared = _with(base, {"dibao.classified.student.amount": 100, "dibao.classified.single_parent.amount": 50})
    roll = synthetic.synthesize(declared, 2020)
    dibao_members = roll.persons[roll.households["category"].to_numpy()[roll.household_row] == "dibao"]
    assert abs(dibao_members["student"].mean() - 0.1) < 0.03
    assert abs(roll.households.loc[roll.households["category"] == "dibao", "single_parent"].mean() - 0.1) < 0.03


def test_the_shares_an_add_on_or_tier_reads_are_roll_unknowns_the_amounts_are_not():
    unknowns = set(programs.UNKNOWNS)
    assert {"dibao.tier_share.first.rural", "dibao.members.student", "dibao.members.single_parent"} <= unknowns
    assert not any(path.startswith(("dibao.tier.", "dibao.classified.")) for path in unknowns)


def test_calibrate_explains_a_figure_no_rule_declared_can_reach(monkeypatch):
    """An average above the standard: the gap rule with the gap ratio at its bound cannot pay it;
    calibrate says which figure, what the model reaches at the bound, and which rule could close it."""
    import pytest

    from civsim import calibrate
    from civsim.errors import CivsimError

    real = calibrate._targets

    def above_the_standard(code, year, owners):
        rows = real(code, year, owners)
        rows = rows[rows["program"] == "dibao"].copy()
        rows["value"] = rows["value"] * 3  # three times what the gap rule can pay
        return rows.reset_index(drop=True)

    monkeypatch.setattr(calibrate, "_targets", above_the_standard)
    with pytest.raises(CivsimError) as caught:
        calibrate.fit_roll("翔安区", 2023)
    message = str(caught.value)
    assert "dibao amount_yuan 2023-01..2023-12：报告" in message and "（上限）时最高只到" in message
    assert "dibao.classified" in message and "dibao.tiered" in message


def test_calibrate_says_when_no_figure_was_reported(monkeypatch):
    import pytest

    from civsim import calibrate
    from civsim.errors import CivsimError

    import pandas as pd

    monkeypatch.setattr(
        calibrate,
        "_targets",
        lambda code, year, owners: pd.DataFrame(columns=["program", "measure", "period", "value"]),
    )
    with pytest.raises(CivsimError, match="no reported money or person-times"):
        calibrate.fit_roll("翔安区", 2023)
