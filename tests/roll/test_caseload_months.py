"""Each caseload is placed at its own month: a count published for another month than the 低保
one is on the roll then, never read as zero."""

import datetime as dt
from dataclasses import replace

import pandas as pd

from civsim import engine, params, synthetic
from civsim.param_leaves import Entry


def _moved(p, path, month, value):
    leaves = dict(p.leaves)
    leaves[path] = replace(p.leaf(path), entries=(Entry(dt.date.fromisoformat(month + "-01"), value, "test"),))
    return p.with_leaves(leaves, "baseline")


def test_a_count_published_after_the_dibao_count_is_on_the_roll_at_its_month():
    base = params.load("东西湖区")
    p = _moved(base, "caseload.tekun.centralized", "2021-03", 60)
    assert synthetic.caseload_anchor(p, 2021) != pd.Period("2021-03", "M")  # 低保's month is another
    frame = engine.simulate("东西湖区", 2021, params=p)
    stock = engine.stock(frame, "2021-03").set_index(["program", "area"])
    centralized = frame[(frame.program == "tekun") & (frame.month == pd.Period("2021-03", "M"))]
    assert stock.loc["tekun", "persons"].sum() >= 60  # the 60 centralized, with the dispersed
    assert centralized["persons"].sum() > 0


def test_a_count_for_a_later_year_is_not_placed_and_is_said():
    base = params.load("东西湖区")
    p = _moved(base, "caseload.tekun.centralized", "2021-06", 60)
    sim = engine.Simulation(p, 2020)
    assert sim.roll.unplaced == {"caseload.tekun.centralized": pd.Period("2021-06", "M")}
    stock = engine.stock(sim.run(p), "2020-10").set_index(["program", "area"])
    assert stock.loc["tekun", "persons"].sum() == base.at("caseload.tekun.dispersed", "2020-10")
    from civsim import params_check

    # 东丽区's caseloads are counts of 2020: its 2019 roll does not hold them, and check says so
    text = params_check.render(params_check.check("东丽区", 2019))
    assert "晚于2019年的在册人数，本年名册不计入：" in text and "caseload.elderly.age_70_79  2020-12" in text


def test_check_names_each_count_placed_at_another_month_than_dibao():
    from civsim import params_check

    report = params_check.check("东西湖区", 2020)
    months = report.count_months
    assert months["caseload.dibao.urban.households"] == report.anchor == pd.Period("2020-10", "M")
    text = params_check.render(report)
    other = [path for path, month in months.items() if month != report.anchor]
    assert all(f"  {path}  {months[path]}" in text for path in other)
    assert synthetic.count_month(params.load("东西湖区"), "caseload.nonexistent", 2020) is None


def test_simulate_says_which_counts_its_roll_does_not_hold(tmp_path, capsys):
    from civsim.cli import main

    assert main(["simulate", "--district", "东丽区", "--year", "2019", "--csv", str(tmp_path / "sim.csv")]) == 0
    assert (
        "civsim: 注意：caseload.elderly.age_70_79：人数为2020-12的数字，晚于2019年，本年名册不计入"
        in capsys.readouterr().err
    )
