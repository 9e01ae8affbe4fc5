"""Engine invariants: monotone in standards, zero pays nothing, deterministic, scenarios equal the
baseline before they start, and the seeds' caseloads at the anchor month."""

import io

import pandas as pd
import pytest

from civsim import engine, params, scenarios, synthetic
from civsim.cli import main

YEAR = 2021


def change(path, percent=None, value=None, start="2021-07-01"):
    amount = {"percent": percent} if percent is not None else {"value": value}
    return scenarios.parse(
        {"name": f"t{abs(hash((path, percent, value))) % 10**6}", "changes": [{"path": path, "from": start, **amount}]}
    )


@pytest.fixture(scope="module")
def dongxihu():
    return params.load("东西湖区")


def totals(frame, program):
    data = frame[frame.program == program]
    return data.groupby("scenario", sort=False)[["persons", "amount_yuan"]].sum()


def test_anchor_month_reproduces_the_reported_caseloads(dongxihu):
    frame = engine.simulate("东西湖区", 2020, params=dongxihu)
    stock = engine.stock(frame, "2020-10").set_index(["program", "area"])
    assert stock.loc[("dibao", "urban"), ["households", "persons"]].tolist() == [221, 269]
    assert stock.loc[("dibao", "rural"), ["households", "persons"]].tolist() == [694, 824]
    assert stock.loc["tekun", "persons"].sum() == 84
    assert stock.loc["disability_nursing", "persons"].sum() == 2144
    assert stock.loc["disability_living", "persons"].sum() == 861


def test_the_roll_moves_month_to_month(dongxihu):
    frame = engine.simulate("东西湖区", 2020, params=dongxihu)
    persons = frame[frame.program == "dibao"].groupby("month")["persons"].sum()
    assert persons.nunique() > 3


@pytest.mark.parametrize(
    "path, program",
    [("dibao.standard", "dibao"), ("tekun.standard", "tekun"), ("disability.nursing.amount", "disability_nursing")],
)
def test_raising_a_standard_never_lowers_spending_or_caseload(dongxihu, path, program):
    frame = engine.simulate("东西湖区", YEAR, scenarios=[change(path, 5), change(path, 20)], params=dongxihu)
    t = totals(frame, program)
    assert (t["amount_yuan"].diff().dropna() > 0).all()
    assert (t["persons"].diff().dropna() >= 0).all()


def test_a_higher_dibao_standard_brings_households_in(dongxihu):
    frame = engine.simulate("东西湖区", YEAR, scenarios=[change("dibao.standard", 20)], params=dongxihu)
    december = frame[(frame.program == "dibao") & (frame.month == pd.Period("2021-12", "M"))]
    by = december.groupby("scenario")["households"].sum()
    assert by[by.index != "baseline"].iloc[0] > by["baseline"]


def test_a_zero_standard_pays_nothing(dongxihu):
    zero = scenarios.parse({"name": "zero", "changes": [{"path": "dibao.standard", "from": "2021-01-01", "value": 0}]})
    frame = engine.simulate("东西湖区", YEAR, scenarios=[zero], params=dongxihu)
    paid = frame[(frame.scenario == "zero") & frame.program.isin(["dibao", "dibao_price_subsidy"])]
    assert paid["amount_yuan"].sum() == 0 and paid["persons"].sum() == 0


def test_same_seed_gives_byte_identical_tables(dongxihu):
    def csv(seed):
        buffer = io.StringIO()
        engine.to_csv_frame(engine.simulate("东西湖区", 2020, seed=seed, params=dongxihu)).to_csv(buffer, index=False)
        return buffer.getvalue()

    assert csv(7) == csv(7)
    assert csv(7) != csv(8)


def test_scenario_rows_equal_the_baseline_before_the_start(dongxihu):
    frame = engine.simulate("东西湖区", YEAR, scenarios=[change("dibao.standard", 5)], params=dongxihu)
    base = frame[frame.scenario == "baseline"].set_index(["month", "program", "area"])
    other = frame[frame.scenario != "baseline"].set_index(["month", "program", "area"])
    before = base.index.get_level_values("month") < pd.Period("2021-07", "M")
    cols = ["households", "persons", "person_times", "amount_yuan"]
    pd.testing.assert_frame_equal(base[before][cols], other.loc[base[before].index, cols])
    assert not base[~before][cols].equals(other.loc[base[~before].index, cols])


def test_price_subsidy_pays_only_in_trigger_months(dongxihu):
    frame = engine.simulate("东西湖区", 2020, params=dongxihu)
    months = set(frame[frame.program == "dibao_price_subsidy"]["month"].astype(str))
    # 2020 national food CPI y/y stayed above Wuhan's 5.5% trigger from January to September only
    assert months == {f"2020-{m:02d}" for m in range(1, 10)}


def test_price_rise_takes_the_higher_trigger():
    from civsim.programs.price_subsidy import price_rise

    assert price_rise(4.0, 7.0, 3.5, 6.0) == 7.0
    assert price_rise(4.0, 5.0, 3.5, 6.0) == 4.0
    assert price_rise(3.0, 5.0, 3.5, 6.0) == 0.0
    assert price_rise(float("nan"), float("nan"), 3.5, 6.0) == 0.0


def test_gap_benefit_is_standard_minus_income(dongxihu):
    roll = synthetic.synthesize(dongxihu, 2020)
    sim = engine.Simulation(dongxihu, 2020, roll=roll)
    frame = sim.run(dongxihu)
    october = frame[(frame.program == "dibao") & (frame.month == pd.Period("2020-10", "M"))]
    t = list(sim.months).index(pd.Period("2020-10", "M"))
    pool = roll.households.iloc[sim.pool]  # the income-tested 低保 candidates
    income, size = sim.income(dongxihu)[t], pool["size"].to_numpy()
    area = pool["area"].to_numpy()
    take_up = dongxihu.at("dibao.take_up", "2020-10")
    for name in ("urban", "rural"):
        standard = dongxihu.at(f"dibao.standard.{name}", "2020-10")
        paid = (area == name) & (income < standard) & (pool["claim_draw"].to_numpy() < take_up)
        expected = ((standard - income) * size)[paid].sum()  # no 分类施保 rule declared here
        assert october[october.area == name]["amount_yuan"].sum() == pytest.approx(expected, rel=1e-5)


def test_cli_simulate_writes_the_tidy_table(tmp_path):
    out = tmp_path / "sim.csv"
    assert (
        main(
            [
                "simulate",
                "--district",
                "东西湖区",
                "--year",
                "2021",
                "--scenario",
                "dibao_plus5_july",
                "--csv",
                str(out),
            ]
        )
        == 0
    )
    table = pd.read_csv(out)
    assert list(table.columns) == engine.COLUMNS
    assert set(table.scenario) == {"baseline", "dibao_plus5_july"}


def test_cli_reconcile_columns(tmp_path):
    out = tmp_path / "rec.csv"
    assert main(["reconcile", "--district", "东西湖区", "--year", "2020", "--csv", str(out)]) == 0
    from civsim import reconcile

    assert list(pd.read_csv(out).columns) == reconcile.OUTPUT


def test_unknown_scenario_is_a_clear_cli_error(capsys):
    assert main(["simulate", "--district", "东西湖区", "--year", "2021", "--scenario", "nope"]) == 2
    assert "scenario not found" in capsys.readouterr().err


def test_a_reused_simulation_gives_each_parameter_set_its_own_values(dongxihu):
    """A Simulation keeps each leaf's value per month across its runs: a run after others on the
    same roll equals the run on a fresh Simulation, and a changed leaf is never served the old value."""
    raised = scenarios.apply(dongxihu, change("dibao.standard", 20, start="2021-01-01"), YEAR)
    lowered = scenarios.apply(dongxihu, change("dibao.standard", -20, start="2021-01-01"), YEAR)
    shared = engine.Simulation(dongxihu, YEAR, 3)
    runs = [shared.run(p) for p in (dongxihu, raised, lowered, dongxihu, raised)]
    for params_, run in zip((dongxihu, raised, lowered, dongxihu, raised), runs):
        pd.testing.assert_frame_equal(run, engine.Simulation(dongxihu, YEAR, 3, roll=shared.roll).run(params_))
    money = [totals(run, "dibao")["amount_yuan"].iloc[0] for run in runs]
    assert money[1] > money[0] > money[2] and money[3] == money[0] and money[4] == money[1]
    january = pd.Period("2021-01", "M")
    month = engine.Month(raised, january, shared.prepared, None, 0.0, 0.0)
    assert (
        month.value("dibao.standard.urban")
        == raised.at("dibao.standard.urban", "2021-01")
        != dongxihu.at("dibao.standard.urban", "2021-01")
    )


def test_fixed_lines_equal_running_every_program_again(dongxihu):
    """A run that takes the programs which read neither the incomes nor the prices (nor a line of
    one that does) from an earlier run equals running them all, to the bit, whatever the roll's
    rates and prices; and the year sums without the table equal those of the table."""
    from civsim.budget.components import by_year

    months = pd.period_range("2021-01", "2023-12", freq="M")
    sim = engine.Simulation(dongxihu, YEAR, 1, months=months)
    fixed = sim.fixed(dongxihu, leaves=("dibao.entry_rate", "dibao.exit_rate"))
    # what a draw moves is run again; the flat lines the price subsidy reads (特困 …) are made when asked
    assert fixed.programs and not fixed.programs & {"dibao", "disability_living", "price_subsidy"}
    assert {"tekun", "orphan"} <= fixed.lazy <= fixed.programs  # read by the price subsidy, made when asked
    assert {"disability_nursing", "temporary"} <= fixed.programs
    raised = scenarios.apply(
        dongxihu,
        scenarios.parse(
            {
                "name": "rates",
                "changes": [
                    {"path": "dibao.entry_rate", "from": "1900-01-01", "percent": 25},
                    {"path": "dibao.exit_rate", "from": "1900-01-01", "percent": -20},
                ],
            }
        ),
    )
    for params_, rise in ((dongxihu, 0.0), (raised, 0.0), (raised, 9.0)):
        sim.cpi, sim.food = sim.cpi + rise, sim.food + rise  # 9 points up: the price subsidy pays
        full = sim.run(params_)
        pd.testing.assert_frame_equal(sim.run(params_, fixed=fixed), full, check_exact=True)
        pd.testing.assert_frame_equal(sim.by_year(params_, fixed), by_year(full), check_exact=True)
        pd.testing.assert_frame_equal(sim.by_year(params_), by_year(full), check_exact=True)
        sim.clear_paths()
    assert (full.program == "dibao_price_subsidy").any()
    with pytest.raises(ValueError, match="other months"):
        engine.Simulation(dongxihu, YEAR, 1, roll=sim.roll).run(dongxihu, fixed=fixed)


def test_a_rule_reads_the_incomes_and_prices_only_when_its_program_declares_them(dongxihu):
    sim = engine.Simulation(dongxihu, YEAR, 1)
    month = engine.Month(dongxihu, pd.Period("2021-01", "M"), sim.prepared, sim.income(dongxihu)[0], 2.5, 3.0)
    month.program = "price_subsidy"
    assert (month.cpi, month.food) == (2.5, 3.0)
    month.program = "tekun"
    with pytest.raises(RuntimeError, match="tekun reads the month's prices without declaring"):
        month.cpi
    with pytest.raises(RuntimeError, match="tekun reads the month's income without declaring"):
        month.income


def test_kept_month_draws_give_the_same_incomes(dongxihu):
    """The Monte Carlo's paths read kept month draws: the same incomes as drawing them afresh."""
    import pickle

    from civsim import dynamics

    sim = engine.Simulation(dongxihu, YEAR, 1)
    kept = dynamics.KeptDraws(sim.roll, len(sim.pool))
    gap = {"urban": 0.4, "rural": 0.5}
    for entry, exit_ in ((0.01, 0.02), (0.03, 0.01), (0.01, 0.02)):
        fresh = dynamics.income_path(sim.roll, sim.pool, sim.months, entry, exit_, gap).income
        assert (dynamics.income_path(sim.roll, sim.pool, sim.months, entry, exit_, gap, kept).income == fresh).all()
    again = pickle.loads(pickle.dumps(kept))
    assert (
        dynamics.income_path(sim.roll, sim.pool, sim.months, 0.02, 0.02, gap, again).income
        == dynamics.income_path(sim.roll, sim.pool, sim.months, 0.02, 0.02, gap).income
    ).all()
