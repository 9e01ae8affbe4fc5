"""The roll: deterministic, calibrated, saved and loaded (CSV and Parquet), validated."""
import pandas as pd
import pytest

from civsim import engine, params, population
from civsim.errors import CivsimError


@pytest.fixture(scope="module")
def roll():
    return population.synthesize(params.load("东西湖区"), 2020, seed=3)


def test_near_threshold_households_exist(roll):
    h = roll.households
    ratio = h["income"] / h["area"].astype(str).map(roll.standard_at_anchor)
    assert ((ratio > 1) & (ratio < 1.1)).sum() > 10 and ((ratio < 1) & (ratio > 0.9)).sum() > 0


def test_same_seed_same_roll():
    p = params.load("东西湖区")
    a, b = population.synthesize(p, 2020, seed=3), population.synthesize(p, 2020, seed=3)
    pd.testing.assert_frame_equal(a.households, b.households)
    pd.testing.assert_frame_equal(a.persons, b.persons)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_saved_roll_loads_back_to_the_same_results(roll, tmp_path, suffix):
    if suffix == ".csv":
        households, persons = population.save(roll, tmp_path)
    else:
        households, persons = tmp_path / "households.parquet", tmp_path / "persons.parquet"
        roll.households.to_parquet(households)
        roll.persons.to_parquet(persons)
    loaded = population.load(households, persons, str(roll.anchor), roll.standard_at_anchor, seed=roll.seed)
    p = params.load("东西湖区")
    a = engine.simulate(None, 2020, params=p, roll=roll)
    b = engine.simulate(None, 2020, params=p, roll=loaded)
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-6)


def test_bad_roll_columns_name_the_file(roll, tmp_path):
    households, persons = population.save(roll, tmp_path)
    table = pd.read_csv(households).drop(columns=["size"])
    table.to_csv(households, index=False)
    with pytest.raises(CivsimError, match=r"households.csv: columns: missing column\(s\) size"):
        population.load(households, persons, "2020-10", roll.standard_at_anchor)


def test_bad_area_names_the_row(roll, tmp_path):
    households, persons = population.save(roll, tmp_path)
    table = pd.read_csv(households)
    table.loc[3, "area"] = "suburb"
    table.to_csv(households, index=False)
    with pytest.raises(CivsimError, match="row 5, column area"):
        population.load(households, persons, "2020-10", roll.standard_at_anchor)


def test_empty_roll_is_refused(tmp_path):
    households, persons = tmp_path / "h.csv", tmp_path / "p.csv"
    households.write_text(",".join(population.HOUSEHOLD_COLUMNS) + "\n")
    persons.write_text(",".join(population.PERSON_COLUMNS) + "\n")
    with pytest.raises(CivsimError, match="the roll is empty"):
        population.load(households, persons, "2020-10", {"urban": 830, "rural": 680})


def test_cli_simulates_a_real_roll_from_a_folder(roll, tmp_path):
    from civsim.cli import main

    population.save(roll, tmp_path / "roll")
    synthetic, real = tmp_path / "synthetic.csv", tmp_path / "real.csv"
    assert main(["simulate", "--district", "东西湖区", "--year", "2020", "--seed", "3", "--csv", str(synthetic)]) == 0
    assert main(["simulate", "--district", "东西湖区", "--year", "2020", "--seed", "3", "--roll", str(tmp_path / "roll"),
                 "--csv", str(real)]) == 0
    assert synthetic.read_bytes() == real.read_bytes()


def test_a_roll_folder_without_its_files_is_a_clear_error(tmp_path):
    with pytest.raises(CivsimError, match="households: file not found"):
        population.load_folder(params.load("东西湖区"), 2020, tmp_path)
