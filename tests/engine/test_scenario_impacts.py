"""Every kind of leaf a scenario may change acts: tests/engine/scenarios.yaml holds what-ifs with the change
in money each must make; one whose impact drops to zero or drifts past its tolerance fails."""

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from civsim import engine, params, roll_io, scenarios
from civsim.errors import CivsimError

ROWS = YAML(typ="safe").load((Path(__file__).parent / "scenarios.yaml").read_text(encoding="utf-8"))
KINDS = {"standard", "amount", "rate", "share", "caseload", "gap ratio", "take-up", "supplement"}
TOLERANCE = 0.02  # relative: the rows are deterministic; a refit or a rule fix may move them a little


def test_every_kind_of_leaf_has_a_row():
    assert KINDS <= {row["kind"] for row in ROWS}


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row['kind']}:{row['changes'][0]['path']}")
def test_a_scenario_makes_its_expected_change(row):
    scenario = scenarios.parse(
        {"name": "whatif", "changes": [{**change, "from": str(change["from"])} for change in row["changes"]]}
    )
    frame = engine.simulate(row["district"], row["year"], [scenario])
    totals = frame.groupby("scenario")["amount_yuan"].sum()
    impact = totals["whatif"] - totals["baseline"]
    assert impact != 0
    assert impact == pytest.approx(row["expected_yuan"], rel=TOLERANCE)


def test_a_roll_leaf_acts_only_from_its_date():
    """Before the change's month the scenario's roll is the baseline's, to the fen."""
    scenario = scenarios.parse(
        {"name": "more", "changes": [{"path": "caseload.tekun.centralized", "from": "2021-07-01", "percent": 100}]}
    )
    frame = engine.simulate("东西湖区", 2021, [scenario])
    by_month = frame.groupby(["scenario", "month"])["amount_yuan"].sum().unstack(0)
    before, after = by_month.iloc[:6], by_month.iloc[6:]
    assert (before["more"] == before["baseline"]).all()
    assert (after["more"] > after["baseline"]).all()


def test_a_caseload_change_on_a_bureau_roll_is_refused_in_one_line(tmp_path):
    import pandas as pd

    pd.DataFrame(
        {
            "household_id": [0, 1],
            "area": "urban",
            "size": [1, 1],
            "income": [100.0, None],
            "category": ["dibao", "tekun"],
            "claim_draw": 0.0,
        }
    ).to_csv(tmp_path / "households.csv", index=False)
    pd.DataFrame({"person_id": [0, 1], "household_id": [0, 1], "age": [40, 70], "tekun": [0, 1]}).to_csv(
        tmp_path / "persons.csv", index=False
    )
    roll = roll_io.load(tmp_path / "households.csv", tmp_path / "persons.csv", "2021-01", {"urban": 830, "rural": 680})
    scenario = scenarios.parse(
        {"name": "more", "changes": [{"path": "caseload.tekun.centralized", "from": "2021-07-01", "percent": 100}]}
    )
    with pytest.raises(CivsimError, match="caseload.tekun.centralized.*bureau's own"):
        engine.simulate("东西湖区", 2021, [scenario], roll=roll)


def test_a_roll_change_ending_inside_the_run_is_refused():
    scenario = scenarios.parse(
        {
            "name": "spell",
            "changes": [{"path": "caseload.dibao", "from": "2021-03-01", "until": "2021-08-31", "percent": 10}],
        }
    )
    with pytest.raises(CivsimError, match="ends before 2021-09"):
        engine.simulate("东西湖区", 2021, [scenario], params=params.load("东西湖区"))


def test_a_scenario_that_changes_no_payment_is_refused_not_reported_as_zero():
    # 东西湖区 pays no Spring-Festival grant in 2021: a rise of it cannot act that year
    scenario = scenarios.parse(
        {
            "name": "grant",
            "changes": [{"path": "supplements.spring_festival.grant", "from": "2021-01-01", "percent": 20}],
        }
    )
    with pytest.raises(CivsimError, match="changes nothing in 2021"):
        engine.simulate("东西湖区", 2021, [scenario])


def test_a_scenarios_own_roll_runs_at_the_prices_its_run_is_given():
    """A Monte Carlo draw sets the month's prices on the simulation; a scenario on its own roll reads them too."""
    p = params.load("东西湖区")
    more = scenarios.apply(
        p,
        scenarios.parse(
            {"name": "more", "changes": [{"path": "caseload.tekun.centralized", "from": "2020-01-01", "percent": 100}]}
        ),
        2020,
    )
    sim = engine.Simulation(p, 2020, 1)
    before = sim.run(more)
    sim.cpi, sim.food = sim.cpi + 20, sim.food + 20  # every month past the price subsidy's triggers
    after = sim.run(more)
    paid = lambda f: f[f.program.str.endswith("_price_subsidy")]["amount_yuan"].sum()  # noqa: E731
    assert paid(after) > paid(before)
