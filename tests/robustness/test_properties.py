"""Property tests: for generated inputs the loader raises nothing but CivsimError, and the
engine's invariants hold for generated standards and scenarios."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from civsim import engine, params, scenarios
from civsim.errors import CivsimError

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
units = st.sampled_from(["yuan/person/month", "yuan/person/year", "ratio", "percent", "persons", "bogus"])
dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 1, 1))
values = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10, 10**7), st.text(max_size=5))


@st.composite
def leaf_yaml(draw):
    entries = draw(
        st.dictionaries(
            dates, st.tuples(values, st.sampled_from(["assumption: t", "source: s, quote: q", ""])), max_size=3
        )
    )
    body = ", ".join(f"{d.isoformat()}: {{value: {v!r}{', ' + p if p else ''}}}" for d, (v, p) in entries.items())
    return f"{draw(names)}: {{{draw(names)}: {{unit: {draw(units)}, values: {{{body}}}}}}}"


@pytest.mark.case("properties")
@pytest.mark.timeout(300)
@SETTINGS
@given(text=st.one_of(leaf_yaml(), st.text(max_size=200)))
def test_loader_raises_only_civsim_errors(tree, text):
    root = tree({"420112-dongxihu/dibao.yaml": text})
    params._load.cache_clear()
    try:
        loaded = params.load("东西湖区", root)
    except CivsimError as exc:
        assert "\n" not in str(exc)
        return
    for row in loaded.resolve("2020-06"):
        assert np.isfinite(row["value"]) and row["value"] >= 0


BASE = params.load("东西湖区")
SIM = engine.Simulation(BASE, 2021)


def run(changes):
    scenario = scenarios.parse({"name": "p", "changes": changes})
    return SIM.run(scenarios.apply(BASE, scenario, 2021))


@pytest.mark.case("properties")
@pytest.mark.timeout(300)
@SETTINGS
@given(low=st.floats(0, 3000), step=st.floats(1, 500), month=st.integers(1, 12))
def test_spending_and_caseload_rise_with_the_dibao_standard(low, step, month):
    start = f"2021-{month:02d}-01"
    a = run([{"path": "dibao.standard", "from": start, "value": low}])
    b = run([{"path": "dibao.standard", "from": start, "value": low + step}])
    for column in ("households", "persons", "amount_yuan"):
        pa = a[a.program == "dibao"].groupby("month")[column].sum()
        pb = b[b.program == "dibao"].groupby("month")[column].sum()
        assert (pb >= pa - 1e-6).all()
    assert (a[["households", "persons", "person_times", "amount_yuan"]] >= 0).all().all()


@SETTINGS
@given(
    percent=st.floats(-99, 300),
    path=st.sampled_from(["tekun.standard", "disability", "dibao.classified", "temporary"]),
    month=st.integers(1, 12),
)
@pytest.mark.case("properties")
@pytest.mark.timeout(300)
def test_months_before_a_scenario_equal_the_baseline(percent, path, month):
    base = SIM.run(BASE)
    other = run([{"path": path, "from": f"2021-{month:02d}-01", "percent": percent}])
    before = base["month"] < pd.Period(f"2021-{month:02d}", "M")
    cols = ["households", "persons", "person_times", "amount_yuan"]
    np.testing.assert_allclose(base[before][cols].to_numpy(), other[before][cols].to_numpy())
