"""Scenario overlays: from/until, percent/value, subtree paths, loud errors."""

import pandas as pd
import pytest

from civsim import params, scenarios
from civsim.errors import CivsimError

MONTHS = pd.period_range("2021-01", "2021-12", freq="M")


def scenario(**change):
    return scenarios.parse({"name": "test", "changes": [change]})


def test_percent_from_july_changes_urban_and_rural_and_leaves_the_baseline():
    base = params.load("东西湖区")
    before = base.monthly("dibao.standard.urban", MONTHS).copy()
    changed = scenarios.apply(base, scenario(path="dibao.standard", **{"from": "2021-07-01"}, percent=5), 2021)
    for area in ("urban", "rural"):
        old, new = base.monthly(f"dibao.standard.{area}", MONTHS), changed.monthly(f"dibao.standard.{area}", MONTHS)
        assert (new[:6] == old[:6]).all() and (new[6:] == old[6:] * 1.05).all()
    assert (base.monthly("dibao.standard.urban", MONTHS) == before).all()
    assert changed.scenario == "test" and base.scenario == "baseline"


def test_value_until_a_date_then_back():
    base = params.load("东西湖区")
    change = {"path": "dibao.standard.urban", "from": "2021-03-01", "until": "2021-05-31", "value": 1000}
    values = scenarios.apply(base, scenario(**change), 2021).monthly("dibao.standard.urban", MONTHS)
    old = base.monthly("dibao.standard.urban", MONTHS)
    assert list(values[2:5]) == [1000] * 3
    assert values[1] == old[1] and values[5] == old[5]


def test_unknown_path_is_an_error():
    with pytest.raises(CivsimError, match="no parameter 'dibao.standrd'"):
        scenarios.apply(
            params.load("东西湖区"), scenario(path="dibao.standrd", **{"from": "2021-07-01"}, percent=5), 2021
        )


def test_period_missing_the_year_is_an_error():
    with pytest.raises(CivsimError, match="misses the simulated year 2021"):
        scenarios.apply(
            params.load("东西湖区"), scenario(path="dibao.standard", **{"from": "2023-01-01"}, percent=5), 2021
        )


@pytest.mark.parametrize(
    "change, match",
    [
        ({"path": "dibao.standard", "percent": 5}, "from.*missing"),
        ({"path": "dibao.standard", "from": "2021-07-01"}, "exactly one of percent or value"),
        ({"path": "dibao.standard", "from": "2021-07-01", "percent": 5, "value": 3}, "exactly one"),
        ({"path": "dibao.standard", "from": "2021-07-01", "until": "2021-06-01", "percent": 5}, "before"),
        ({"path": "dibao.standard", "from": "July", "percent": 5}, "bad date"),
        ({"path": "dibao.standard", "from": "2021-07-01", "value": -1}, "negative"),
        ({"path": "dibao.standard", "from": "2021-07-01", "percent": "five"}, "bad amount"),
    ],
)
def test_bad_scenarios(change, match):
    with pytest.raises(CivsimError, match=match):
        scenarios.parse({"name": "bad", "changes": [change]}, "bad.yaml")


@pytest.mark.parametrize("name", ["../evil", "a/b", "x\x00y", "<script>", ""])
def test_names_cannot_escape_the_folder(name):
    with pytest.raises(CivsimError, match="bad scenario name"):
        scenarios.check_name(name)


def test_shipped_scenarios_load_and_apply():
    names = scenarios.available()
    assert names
    for name in names:
        s = scenarios.load(name)
        first_year = min(c.start.year for c in s.changes)
        scenarios.apply(params.load("东西湖区"), s, first_year)
