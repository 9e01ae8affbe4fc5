"""The linked roll: deterministic, calibrated, linked, saved and loaded (CSV and Parquet), validated."""

import pandas as pd
import pytest

import numpy as np

from civsim import engine, params, roll as roll_module, roll_io, synthetic
from civsim.errors import CivsimError


@pytest.fixture(scope="module")
def roll():
    return synthetic.synthesize(params.load("东西湖区"), 2020, seed=3)


def test_near_threshold_households_exist(roll):
    h = roll.households
    ratio = h["income"] / h["area"].astype(str).map(roll.standard_at_anchor).astype(float)
    assert ((ratio > 1) & (ratio < 1.1)).sum() > 10 and ((ratio < 1) & (ratio > 0.9)).sum() > 0


def test_same_seed_same_roll():
    p = params.load("东西湖区")
    a, b = synthetic.synthesize(p, 2020, seed=3), synthetic.synthesize(p, 2020, seed=3)
    pd.testing.assert_frame_equal(a.households, b.households)
    pd.testing.assert_frame_equal(a.persons, b.persons)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_saved_roll_loads_back_to_the_same_results(roll, tmp_path, suffix):
    if suffix == ".csv":
        households, persons = roll_io.save(roll, tmp_path)
    else:
        households, persons = tmp_path / "households.parquet", tmp_path / "persons.parquet"
        for table, path in zip(roll_module.to_tables(roll), (households, persons)):
            table.to_parquet(path)
    loaded = roll_io.load(households, persons, str(roll.anchor), roll.standard_at_anchor, seed=roll.seed)
    p = params.load("东西湖区")
    a = engine.simulate(None, 2020, params=p, roll=roll)
    b = engine.simulate(None, 2020, params=p, roll=loaded)
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-6)


def test_bad_roll_columns_name_the_file(roll, tmp_path):
    households, persons = roll_io.save(roll, tmp_path)
    table = pd.read_csv(households).drop(columns=["size"])
    table.to_csv(households, index=False)
    with pytest.raises(CivsimError, match=r"households.csv: columns: missing column\(s\) size"):
        roll_io.load(households, persons, "2020-10", roll.standard_at_anchor)


def test_bad_area_names_the_row(roll, tmp_path):
    households, persons = roll_io.save(roll, tmp_path)
    table = pd.read_csv(households)
    table.loc[3, "area"] = "suburb"
    table.to_csv(households, index=False)
    with pytest.raises(CivsimError, match="row 5, column area"):
        roll_io.load(households, persons, "2020-10", roll.standard_at_anchor)


def test_empty_roll_is_refused(tmp_path):
    households, persons = tmp_path / "h.csv", tmp_path / "p.csv"
    households.write_text(",".join(roll_module.HOUSEHOLD_COLUMNS) + "\n")
    persons.write_text(",".join(roll_module.PERSON_COLUMNS) + "\n")
    with pytest.raises(CivsimError, match="the roll is empty"):
        roll_io.load(households, persons, "2020-10", {"urban": 830, "rural": 680})


def test_cli_simulates_a_real_roll_from_a_folder(roll, tmp_path):
    from civsim.cli import main

    roll_io.save(roll, tmp_path / "roll")
    synthetic, real = tmp_path / "synthetic.csv", tmp_path / "real.csv"
    assert main(["simulate", "--district", "东西湖区", "--year", "2020", "--seed", "3", "--csv", str(synthetic)]) == 0
    assert (
        main(
            [
                "simulate",
                "--district",
                "东西湖区",
                "--year",
                "2020",
                "--seed",
                "3",
                "--roll",
                str(tmp_path / "roll"),
                "--csv",
                str(real),
            ]
        )
        == 0
    )
    assert synthetic.read_bytes() == real.read_bytes()


def test_a_roll_folder_without_its_files_is_a_clear_error(tmp_path):
    with pytest.raises(CivsimError, match="households: file not found"):
        roll_io.load_folder(params.load("东西湖区"), 2020, tmp_path)


def test_every_member_belongs_to_a_household_whose_size_counts_them(roll):
    members = roll.persons.groupby("household_id").size()
    sizes = roll.households.set_index("household_id")["size"]
    assert (members.reindex(sizes.index, fill_value=0).to_numpy() == sizes.to_numpy()).all()
    assert (
        roll.households.loc[roll.household_row, "household_id"].to_numpy() == roll.persons["household_id"].to_numpy()
    ).all()


def test_dibao_households_carry_their_members(roll):
    dibao = roll.households[roll.households["category"] == "dibao"]
    members = roll.persons[roll.persons["household_id"].isin(dibao["household_id"])]
    assert len(members) == dibao["size"].sum() > 0
    assert (members["age"] >= 60).any() and (members["age"] < 18).any()  # 分类施保 classes exist among them


def test_categorical_caseloads_move_around_the_anchor(roll):
    """特困 persons join and leave around October, and exactly 84 are on the roll in the anchor month."""
    tekun = roll.persons[roll.persons["tekun"] == 1]
    anchor = roll.anchor.ordinal
    on = (tekun["start"] <= anchor) & (anchor < tekun["end"])
    assert on.sum() == 84
    assert (tekun["start"] > anchor).any() or (tekun["end"] <= anchor).any()


@pytest.mark.parametrize(
    "change, message",
    [
        (
            lambda h, p: p.assign(household_id=p["household_id"].where(p.index != 5, 10**9)),
            "persons.csv: row 7, column household_id: household 1000000000 is not in the household file",
        ),
        (
            lambda h, p: p.assign(person_id=p["person_id"].where(p.index != 4, 0)),
            "persons.csv: row 6, column person_id: duplicate id 0",
        ),
        (lambda h, p: p.assign(age=p["age"].where(p.index != 2, -3)), "persons.csv: row 4, column age: bad value"),
        (
            lambda h, p: p.assign(self_care=p["self_care"].where(p.index != 2, 5)),
            "persons.csv: row 4, column self_care: bad value '5'",
        ),
        (
            lambda h, p: p.assign(child_status=p["child_status"].where(p.index != 2, "foster")),
            "column child_status: bad value 'foster'",
        ),
        (lambda h, p: p.assign(start=p["start"].where(p.index != 2, "2020-13")), "column start: bad value '2020-13'"),
    ],
    ids=["orphan person", "duplicate person", "negative age", "self-care 5", "unknown placement", "bad month"],
)
def test_a_broken_link_or_value_names_the_file_row_and_column(roll, tmp_path, change, message):
    households, persons = roll_io.save(roll, tmp_path)
    h, p = pd.read_csv(households, keep_default_na=False), pd.read_csv(persons, keep_default_na=False)
    change(h, p).to_csv(persons, index=False)
    with pytest.raises(CivsimError, match=message):
        roll_io.load(households, persons, "2020-10", roll.standard_at_anchor)


def test_a_household_size_that_disagrees_with_its_members_is_refused(roll, tmp_path):
    households, persons = roll_io.save(roll, tmp_path)
    h = pd.read_csv(households, keep_default_na=False)
    h.loc[0, "size"] += 1
    h.to_csv(households, index=False)
    with pytest.raises(CivsimError, match=r"households.csv: row 2, column size: size \d+ but \d+ member"):
        roll_io.load(households, persons, "2020-10", roll.standard_at_anchor)


def test_a_folder_with_both_csv_and_parquet_is_refused(roll, tmp_path):
    households, _ = roll_io.save(roll, tmp_path)
    roll_module.to_tables(roll)[0].to_parquet(tmp_path / "households.parquet")
    with pytest.raises(CivsimError, match="both households.csv and households.parquet"):
        roll_io.load_folder(params.load("东西湖区"), 2020, tmp_path)


def test_a_bureau_roll_without_optional_columns_gets_their_defaults(tmp_path):
    (tmp_path / "households.csv").write_text("household_id,area,size,income\n1,urban,2,300\n")
    (tmp_path / "persons.csv").write_text("person_id,household_id,age\n1,1,70\n2,1,40\n")
    loaded = roll_io.load_folder(params.load("东西湖区"), 2020, tmp_path)
    frame = engine.simulate(None, 2020, params=params.load("东西湖区"), roll=loaded)
    october = frame[(frame["month"] == "2020-10") & (frame["program"] == "dibao")]
    assert october["amount_yuan"].sum() == pytest.approx((830 - 300) * 2)
    assert np.isnan(loaded.households["income"]).sum() == 0
