"""The model-against-export check: matches to the yuan are counted, every other household is
listed with the reason, in the order the reasons are tested."""

import numpy as np
import pandas as pd
import pytest

from civsim.bureau import amounts_check
from conftest import ROOT
from civsim.errors import CivsimError


def _households():
    # id:         0        1        2        3        4         5        6       7
    return pd.DataFrame(
        {
            "household_id": np.arange(8),
            "area": ["urban"] * 4 + ["rural"] * 4,
            "size": [1, 2, 3, 1, 2, 1, 1, 2],
            "income": [300.0, 100.0, 0.0, 500.0, np.nan, 200.0, 900.0, 400.0],
            "street": ["吴家山街道"] * 8,
            "community": [""] * 8,
            "category": ["dibao", "dibao", "dibao", "dibao", "dibao", "dibao", "edge", "tekun"],
            "benefit": [530.0, 1460.0, 2490.0, np.nan, 1000.0, 480.0, np.nan, 1200.0],
            "classified": [0.0, 83.0, 0.0, 0.0, np.nan, 0.0, np.nan, np.nan],
            "start": [""] * 8,
            "claim_draw": 0.0,
        }
    )


def test_matches_and_reasons():
    h = _households()
    modelled = np.array(
        [
            530.4,  # matches (< 1 yuan apart)
            1543.0,  # differs by exactly the 分类施保 83
            2400.0,  # differs otherwise: the gap rule
            330.0,  # no exported amount
            0.0,  # no income on the export (model pays nothing)
            0.0,  # exported 480, the model pays nothing
            100.0,  # a 低保边缘 household the model would pay
            0.0,
        ]
    )  # 特困, not paid by the model: not compared
    result = amounts_check.compare_benefits(h, modelled)
    assert result.compared == 7 and result.matched == 1
    reasons = dict(zip(result.rest["household_id"], result.rest["reason"]))
    assert reasons == {
        1: "classified",
        2: "gap_rule",
        3: "benefit_missing",
        4: "income_missing",
        5: "model_pays_nothing",
        6: "not_on_dibao",
    }
    assert result.rest.loc[result.rest["household_id"] == 2, "difference"].item() == pytest.approx(-90.0)
    assert set(result.rest["原因"]) <= set(amounts_check.REASONS.values())
    table = result.by_reason()
    assert list(table["reason"]) == [r for r in amounts_check.REASONS if r in reasons.values()]
    assert table["households"].sum() == 6


def test_a_roll_reproducing_its_month_matches_everywhere():
    h = _households()
    result = amounts_check.compare_benefits(
        h[h["benefit"].notna() & h["income"].notna()],
        h.loc[h["benefit"].notna() & h["income"].notna(), "benefit"].to_numpy(),
    )
    assert result.matched == result.compared and result.rest.empty and result.by_reason().empty


def test_amounts_by_household_id_and_a_wrong_length_is_an_error():
    h = _households()
    series = pd.Series(h["benefit"].fillna(0).to_numpy()[::-1], index=h["household_id"][::-1])
    assert amounts_check.compare_benefits(h, series).matched == 6
    with pytest.raises(CivsimError, match="7 amounts for 8 households"):
        amounts_check.compare_benefits(h, np.zeros(7))
    with pytest.raises(CivsimError, match="household_id 7"):
        amounts_check.compare_benefits(h, series.iloc[1:])


def test_the_imported_sample_reproduces_its_month_under_the_gap_rule():
    """The sample's 低保 benefit is the gap times 保障人口 at the district's standards; the gap
    computed from the imported roll and params matches it to the yuan, and a standard five yuan
    higher is flagged household by household as the gap rule."""
    import datetime as dt

    from civsim import params
    from civsim.bureau import importer
    from conftest import ROOT

    roll = importer.import_exports(
        sorted((ROOT / "data" / "samples" / "420112-dongxihu").glob("*.xlsx")),
        "东西湖区",
        salt=b"check-salt-0123456789",
    )
    h = roll.households
    p = params.load("东西湖区")
    date = dt.date(roll.month.year, roll.month.month, 1)
    standard = np.where(h["area"] == "urban", p.at("dibao.standard.urban", date), p.at("dibao.standard.rural", date))
    gap = np.maximum(standard - h["income"].to_numpy(), 0) * h["size"].to_numpy()
    modelled = np.where(h["category"] == "dibao", gap, 0.0)
    result = amounts_check.compare_benefits(h, modelled)
    assert result.compared == (h["category"] == "dibao").sum() > 50 and result.matched == result.compared
    higher = np.where(h["category"] == "dibao", gap + 5 * h["size"].to_numpy(), 0.0)
    result = amounts_check.compare_benefits(h, higher)
    assert result.matched == 0 and set(result.rest["reason"]) == {"gap_rule"}


def test_an_imported_sample_reproduces_its_own_month_through_the_engine(tmp_path):
    """The shipped sample, imported and simulated for its export month, pays every 低保 household
    its exported 户月保障金额 to the yuan, and the results carry the streets."""
    from civsim import engine, params, roll_io
    from civsim.bureau import amounts_check, commands

    files = sorted((ROOT / "data" / "samples" / "420112-dongxihu").glob("*.xlsx"))  # 低保边缘 too: paid nothing here
    commands.run_import(files, "东西湖区", tmp_path / "roll", salt="a-salt-for-the-test-only")
    base = params.load("东西湖区")
    roll = roll_io.load_folder(base, 2020, tmp_path / "roll")
    assert str(roll.anchor) == "2020-10"
    result = amounts_check.check_roll(base, roll)
    assert result.compared > 50 and result.matched == result.compared
    frame = engine.simulate(None, 2020, params=base, roll=roll)
    assert "street" in frame and set(frame["street"]) >= {"吴家山街道", "走马岭街道"}


def test_the_clerks_table_reads_in_chinese():
    h = _households()
    result = amounts_check.compare_benefits(h, np.where(h["benefit"].notna(), h["benefit"].fillna(0) + 50, 0.0))
    table = result.for_clerk()
    assert len(table) == len(result.rest) and table.columns[0] == "户编号" and "原因" in table.columns
    assert all(not any("a" <= c.lower() <= "z" for c in name) for name in table.columns)
    assert set(table["城乡"]) <= {"城市", "农村"} and set(table["原因"]) <= set(amounts_check.REASONS.values())
