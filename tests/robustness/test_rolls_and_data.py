"""Second round of bad data files: a bureau's roll with out-of-range codes, ages, sizes or non-finite
numbers; reported figures with impossible periods, repeated columns or a misspelt program;
districts.csv with a parent loop; CSV months as Excel writes them."""

import csv
import io
import os
from pathlib import Path

import pandas as pd
import pytest

from civsim import cpi, districts, params, reported_figures, synthetic
from civsim import roll_io as population  # the roll's loader and writer
from civsim.errors import CivsimError

DISTRICT, YEAR = "东西湖区", 2020


# The roll loader under test, in one place: the roll's module changes with the linked
# household–person roll, and pointing these two functions at it moves every case below.
def make_roll(folder: Path) -> Path:
    """A valid roll folder (households.csv, persons.csv) for DISTRICT and YEAR."""
    population.save(synthetic.synthesize(params.load(DISTRICT), YEAR), folder)
    return folder


def load_roll(folder: Path):
    return population.load_folder(params.load(DISTRICT), YEAR, folder)


def one_line(err, *fragments):
    message = str(err.value)
    assert "\n" not in message and "Traceback" not in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def set_cell(path: Path, column: str, value: str, row: int = 0) -> None:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[row + 1][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


@pytest.fixture(scope="module")
def roll_template(tmp_path_factory):
    return make_roll(tmp_path_factory.mktemp("roll"))


@pytest.fixture
def roll(tmp_path, roll_template):
    folder = tmp_path / "roll"
    folder.mkdir()
    for file in roll_template.iterdir():
        (folder / file.name).write_bytes(file.read_bytes())
    return folder


# name -> (table, column, bad cell, what the line must say was expected)
ROLL_CASES = {
    "negative age": ("persons", "age", "-1", "an integer from 0 to 130"),
    "age 200": ("persons", "age", "200", "an integer from 0 to 130"),
    "fractional age": ("persons", "age", "40.5", "an integer from 0 to 130"),
    "self_care 5": ("persons", "self_care", "5", "0 or 1 or 2 (0 full, 1 partial, 2 none)"),
    "unknown child placement": ("persons", "child_status", "foster", "none or orphan or unsupported"),
    "institution 2": ("persons", "institution", "2", "0 or 1 (0 no, 1 yes)"),
    "disability grade 7": ("persons", "disability_grade", "7", "0 or 1 or 2 or 3 or 4"),
    "poor as 是": ("persons", "poor", "是", "0 or 1"),
    "area in upper case": ("households", "area", "Urban", "urban or rural"),
    "area in Chinese": ("households", "area", "城镇", "urban or rural"),
    "category unknown": ("households", "category", "wubao", "dibao or tekun or low_income or edge or other"),
    "household size 3,000,000": ("households", "size", "3000000", "an integer from 1 to 50"),
    "household size 0": ("households", "size", "0", "an integer from 1 to 50"),
    "inf income": ("households", "income", "inf", "yuan/person/month"),
    "Infinity income": ("households", "income", "Infinity", "yuan/person/month"),
    "nan income": ("households", "income", "nan", "yuan/person/month"),
    "negative income": ("households", "income", "-5", "a number from 0 to 1e+06"),
    "claim draw 1.5": ("households", "claim_draw", "1.5", "a number from 0 to 1"),
    "negative household id": ("households", "household_id", "-3", "an integer of 0 or more"),
    "huge person id": ("persons", "person_id", "1e30", "an integer of 0 or more"),
}


@pytest.mark.case("roll")
@pytest.mark.parametrize("table, column, value, expected", ROLL_CASES.values(), ids=ROLL_CASES.keys())
def test_roll_value_out_of_range(roll, table, column, value, expected):
    set_cell(roll / f"{table}.csv", column, value)
    with pytest.raises(CivsimError) as err:
        load_roll(roll)
    one_line(err, f"{table}.csv: row 2, column {column}: bad value {value!r}", expected)


@pytest.mark.case("roll")
def test_roll_value_out_of_range_in_parquet(roll):
    persons = pd.read_csv(roll / "persons.csv")
    persons.loc[3, "self_care"] = 5
    persons.to_parquet(roll / "persons.parquet")
    (roll / "persons.csv").unlink()
    with pytest.raises(CivsimError) as err:
        load_roll(roll)
    one_line(err, "persons.parquet: row 5, column self_care: bad value '5'")


@pytest.mark.case("roll")
def test_roll_folder_with_both_csv_and_parquet(roll):
    pd.read_csv(roll / "households.csv").to_parquet(roll / "households.parquet")
    with pytest.raises(CivsimError) as err:
        load_roll(roll)
    one_line(err, "households: both households.csv and households.parquet", "one of them only")


ROLL_FILES = {
    "missing persons file": (
        lambda r: (r / "persons.csv").unlink(),
        ["persons: file not found", "persons.csv or persons.parquet"],
    ),
    "persons file is a folder": (
        lambda r: ((r / "persons.csv").unlink(), (r / "persons.csv").mkdir()),
        ["persons.csv: is a folder"],
    ),
    "dangling persons link": (
        lambda r: ((r / "persons.csv").unlink(), (r / "persons.csv").symlink_to(r / "gone.csv")),
        ["persons.csv: dangling symbolic link"],
    ),
    "persons.parquet is a pipe": (
        lambda r: ((r / "persons.csv").unlink(), os.mkfifo(r / "persons.parquet")),
        ["persons.parquet: not a regular file"],
    ),
    "repeated column": (
        lambda r: (r / "households.csv").write_text(
            (r / "households.csv").read_text().replace("claim_draw", "income", 1)
        ),
        ["households.csv: columns", "income appear more than once"],
    ),
    "repeated column with a space": (
        lambda r: (r / "households.csv").write_text(
            (r / "households.csv").read_text().replace(",claim_draw", ", income", 1)
        ),
        ["income appear more than once"],
    ),
}


@pytest.mark.case("roll")
@pytest.mark.parametrize("spoil, fragments", ROLL_FILES.values(), ids=ROLL_FILES.keys())
def test_roll_files_that_are_not_right(roll, spoil, fragments):
    spoil(roll)
    with pytest.raises(CivsimError) as err:
        load_roll(roll)
    one_line(err, *fragments)


@pytest.mark.case("roll")
def test_roll_folder_that_is_a_file(tmp_path):
    path = tmp_path / "roll.csv"
    path.write_text("x\n")
    with pytest.raises(CivsimError) as err:
        load_roll(path)
    one_line(err, "roll.csv: folder not found")


@pytest.mark.case("roll")
def test_a_valid_roll_still_loads(roll):
    loaded = load_roll(roll)
    assert len(loaded.households) > 0 and len(loaded.persons) > 0


HEADER = "jurisdiction,year,program,area,measure,period,value,source,quote\n"
ROW = "420112,2020,dibao,all,persons,2020-10,269,s.txt,在册城市低保221户269人\n"
REPORTED_CASES = {
    "month 13": (
        HEADER + ROW.replace(",2020-10,", ",2020-13,"),
        ["row 2, column period", "bad period '2020-13'", "months 01-12"],
    ),
    "month 00": (HEADER + ROW.replace(",2020-10,", ",2020-00,"), ["row 2, column period", "'2020-00'"]),
    "Excel month": (HEADER + ROW.replace(",2020-10,", ",Oct-20,"), ["row 2, column period", "'Oct-20'"]),
    "range with a bad end": (HEADER + ROW.replace(",2020-10,", ",2020-01..2020-14,"), ["row 2, column period"]),
    "repeated column": (HEADER.replace("quote", "value") + ROW, ["columns", "value appear more than once"]),
    "repeated column with a space": (HEADER.replace(",quote", ", value") + ROW, ["value appear more than once"]),
    "misspelt program": (HEADER + ROW.replace(",dibao,", ",dibaoo,"), ["row 2, column program", "close to 'dibao'"]),
    "program in the wrong case": (HEADER + ROW.replace(",dibao,", ",Dibao,"), ["close to 'dibao'"]),
    "transposed letters": (HEADER + ROW.replace(",dibao,", ",tekn,"), ["close to 'tekun'"]),
    "inf as a figure": (HEADER + ROW.replace(",269,", ",inf,"), ["row 2, column value: bad value 'inf'"]),
    "1e400 as a figure": (HEADER + ROW.replace(",269,", ",1e400,"), ["row 2, column value"]),
    "negative figure": (HEADER + ROW.replace(",269,", ",-269,"), ["row 2, column value", "0 or more"]),
    "year 20200": (HEADER + ROW.replace(",2020,", ",20200,"), ["row 2, column year", "from 1949 to 2100"]),
    "area in Chinese": (HEADER + ROW.replace(",all,", ",全区,"), ["row 2, column area", "urban or rural or all"]),
    "more households than persons": (
        HEADER + ROW + ROW.replace(",persons,", ",households,").replace(",269,", ",300,"),
        ["row 3, column value", "300 households but 269 persons (row 2)"],
    ),
}


@pytest.mark.case("data")
@pytest.mark.parametrize("text, fragments", REPORTED_CASES.values(), ids=REPORTED_CASES.keys())
def test_bad_reported_figures(tmp_path, text, fragments):
    path = tmp_path / "figures.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CivsimError) as err:
        reported_figures.read(path)
    one_line(err, "figures.csv", *fragments)


@pytest.mark.case("data")
def test_figures_the_model_does_not_simulate_keep_their_own_codes(tmp_path):
    path = tmp_path / "figures.csv"
    path.write_text(HEADER + ROW.replace(",dibao,", ",marriage,").replace(",persons,", ",cases,"), encoding="utf-8")
    assert reported_figures.read(path)["program"].tolist() == ["marriage"]


@pytest.mark.case("data")
def test_every_shipped_figure_still_loads_once_however_its_folder_is_named():
    reported_figures.clear_cache()
    table = reported_figures.load()
    assert len(table) > 0
    assert reported_figures.load(reported_figures.REPORTED) is table
    assert reported_figures.load(str(reported_figures.REPORTED)) is table


@pytest.mark.case("data")
def test_a_code_is_measured_only_against_codes_it_could_be_a_misspelling_of():
    """Codes more than two letters longer or shorter are more than two edits away: leaving them out
    names the same close code as measuring every modelled one."""
    known = reported_figures.modelled_programs()

    def measured_against_all(program):
        near = min((reported_figures._distance(program.lower(), k), k) for k in known)
        return near[1] if near[0] <= (1 if len(near[1]) <= 5 else 2) or program.lower() == near[1] else None

    edits = [lambda c: c + "x", lambda c: c[:-1], lambda c: c[1:] + "yz", lambda c: c.upper(), lambda c: c[::-1]]
    programs = sorted({edit(code) for code in known for edit in edits} | {"marriage", "x", "tekn", "dibaoo"} - known)
    assert [reported_figures.misspelt(p, known) for p in programs] == [measured_against_all(p) for p in programs]
    assert reported_figures.misspelt("tekn", known) == "tekun"


DISTRICT_CASES = {
    "own parent": ("420112,东西湖区,dongxihu,420112,district\n", ["row 2, column parent", "loop (420112 → 420112)"]),
    "two-step loop": (
        "420100,武汉市,wuhan,420112,city\n420112,东西湖区,dongxihu,420100,district\n",
        ["column parent", "parents form a loop", "ending at a province"],
    ),
    "three-step loop": (
        "420000,湖北省,hubei,420112,province\n420100,武汉市,wuhan,420000,city\n"
        "420112,东西湖区,dongxihu,420100,district\n",
        ["parents form a loop"],
    ),
}


@pytest.mark.case("data")
@pytest.mark.parametrize("rows, fragments", DISTRICT_CASES.values(), ids=DISTRICT_CASES.keys())
def test_districts_csv_with_a_parent_loop(tmp_path, rows, fragments):
    path = tmp_path / "districts.csv"
    path.write_text("code,name,pinyin,parent,level\n" + rows, encoding="utf-8")
    with pytest.raises(CivsimError) as err:
        districts.load_districts.__wrapped__(path)
    one_line(err, "districts.csv", *fragments)


CPI_HEADER = "region,month,cpi_yoy_pct,food_cpi_yoy_pct,source\n"
CPI_CASES = {
    "Excel month Jan-18": (
        CPI_HEADER + "全国,Jan-18,1.5,1.0,s\n",
        ["row 2, column month: bad value 'Jan-18'", "YYYY-MM"],
    ),
    "month as 2018/1": (CPI_HEADER + "全国,2018/1,1.5,1.0,s\n", ["row 2, column month", "YYYY-MM"]),
    "inf as a rise": (CPI_HEADER + "全国,2018-01,inf,1.0,s\n", ["row 2, column cpi_yoy_pct"]),
}


@pytest.mark.case("data")
@pytest.mark.parametrize("text, fragments", CPI_CASES.values(), ids=CPI_CASES.keys())
def test_bad_cpi_series(tmp_path, text, fragments):
    path = tmp_path / "cpi.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CivsimError) as err:
        cpi.series.__wrapped__("全国", path)
    one_line(err, "cpi.csv", *fragments)
