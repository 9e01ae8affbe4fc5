"""Published provincial 低保 averages as the default gap ratio of a province's districts."""

import datetime as dt

import pytest

from civsim import calibrate, districts, params, params_check, provincial
from civsim.errors import CivsimError

HEADER = "province_code,province,month,area,standard_yuan_person_month,benefit_yuan_person_month,source,quote,note\n"


@pytest.fixture
def table(tmp_path, monkeypatch):
    """A temporary table in place of data/dibao_provincial.csv (parameter sets read with it are
    forgotten before and after)."""

    def make(*rows: str):
        path = tmp_path / "dibao_provincial.csv"
        path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
        monkeypatch.setattr(provincial, "TABLE", path)
        params.clear_cache()
        return path

    yield make
    params.clear_cache()


def test_the_shipped_table_loads_and_every_ratio_is_a_share_of_the_standard():
    rows = provincial.read()
    assert rows, "the table has rows"
    for row in rows:
        assert 0 < row["ratio"] <= 1.2
        assert row["ratio"] == pytest.approx(
            row["benefit_yuan_person_month"] / row["standard_yuan_person_month"], abs=1e-4
        )
        assert row["source"].strip() and row["quote"].strip()
        # the figures are the ones the quote states (a monthly figure as read, a yearly one ÷ 12)
        shown = row["quote"]
        for column in ("standard_yuan_person_month", "benefit_yuan_person_month"):
            monthly = row[column]
            assert (
                f"{monthly:g}" in shown
                or f"{monthly:.2f}" in shown
                or any(f"{monthly * 12:.{d}f}" in shown for d in (0, 2))
            ), (row["row"], column)


def test_a_district_of_a_covered_province_takes_the_provincial_ratio(table):
    table('420000,湖北省,2022-06,rural,500,300,"a test bulletin","农村低保平均标准6000元/人·年，人均补助3600元/人·年",')
    national = params.national()["dibao.gap_ratio.rural"]
    p = params.load("东西湖区", calibrated=False)
    assert p.at("dibao.gap_ratio.rural", "2022-06") == pytest.approx(0.6)
    assert p.at("dibao.gap_ratio.rural", "2023-06") == pytest.approx(0.6)  # held on
    assert p.at("dibao.gap_ratio.rural", "2022-05") == national.at(dt.date(2022, 5, 1)).value  # before it: national
    entry = p.leaf("dibao.gap_ratio.rural").at(dt.date(2022, 6, 1))
    assert entry.source not in ("assumption", "calibration") and "a test bulletin" in entry.source
    assert entry.quote.startswith("农村低保平均标准")
    assert params_check.origin(p.leaf("dibao.gap_ratio.rural").file, p.district) == params_check.ORIGIN_PROVINCIAL


def test_a_jurisdictions_own_value_still_wins(table):
    table('420000,湖北省,2019-01,urban,500,300,"a test bulletin","城市低保平均标准500元，人均补助300元",')
    own = params.load("东西湖区", calibrated=False)
    assert own.at("dibao.gap_ratio.urban", "2020-06") == pytest.approx(0.935)  # 武汉市's folder, not the province's 0.6


def test_a_fitted_value_still_wins_and_the_province_is_the_calibration_prior(table, monkeypatch):
    table('350000,福建省,2022-01,rural,500,250,"a test bulletin","农村低保人均补助250元",')
    fitted = params.load("翔安区")
    assert fitted.leaf("dibao.gap_ratio.rural").at(dt.date(2023, 6, 1)).source == "calibration"
    assert fitted.at("dibao.gap_ratio.rural", "2022-06") == pytest.approx(0.5)  # before the fit: the province

    class Stop(Exception):
        pass

    seen = {}

    def solve(current, year, seed, day, unknowns, targets):
        seen.update({u.path: u.prior for u in unknowns})
        raise Stop

    monkeypatch.setattr(calibrate, "_solve", solve)
    with pytest.raises(Stop):
        calibrate.fit_roll("翔安区", 2023)
    assert seen["dibao.gap_ratio.rural"] == pytest.approx(0.5)


def test_a_province_without_rows_keeps_the_national_default(table):
    table('530000,云南省,2019-06,urban,569,389,"a test bulletin","平均保障标准569元，平均补助水平389元",')
    p = params.load("东丽区", calibrated=False)
    national = params.national()["dibao.gap_ratio.urban"]
    assert p.leaf("dibao.gap_ratio.urban").entries == national.entries


@pytest.mark.parametrize(
    "row, where",
    [
        ('420000,湖北省,2022-13,urban,500,300,"s","q",', "row 2, column month"),
        ('420000,湖北省,2022-06,town,500,300,"s","q",', "row 2, column area"),
        ('420100,武汉市,2022-06,urban,500,300,"s","q",', "row 2, column province_code"),
        ('420000,湖南省,2022-06,urban,500,300,"s","q",', "row 2, column province"),
        ('420000,湖北省,2022-06,urban,500,600,"s","q",', "row 2, column benefit_yuan_person_month"),
        ('420000,湖北省,2022-06,urban,0,300,"s","q",', "row 2, column standard_yuan_person_month"),
        ('420000,湖北省,2022-06,urban,500,300,"s",,', "row 2, column quote"),
        ('420000,湖北省,2022-06,urban,500,300,,"q",', "row 2, column source"),
    ],
)
def test_a_bad_row_is_one_line(table, row, where):
    path = table(row)
    with pytest.raises(CivsimError) as error:
        params.load("东西湖区", calibrated=False)
    message = str(error.value)
    assert "\n" not in message and str(path) in message and where in message and "expected" in message


def test_a_row_given_twice_is_one_line(table):
    row = '420000,湖北省,2022-06,urban,500,300,"s","q",'
    table(row, row)
    with pytest.raises(CivsimError, match="row 3: duplicate row"):
        params.load("东西湖区", calibrated=False)


def test_the_province_of_a_district_is_its_ancestor_of_level_province():
    assert provincial.province_of(districts.find("东西湖区")).code == "420000"
    assert provincial.province_of(districts.find("天津市")).code == "120000"
