"""The batch's shared simulations: a hit is the engine's own table, and anything that changes the
result (a parameter, a scenario, the year, the seed) is another entry."""
import pandas as pd

from civsim import engine, params, scenarios
from civsim.report import simcache


def test_a_cached_simulation_is_the_engines_and_a_change_is_a_new_entry(tmp_path, monkeypatch):
    base = params.load("东西湖区")
    raise_ = scenarios.parse({"name": "cache_test", "changes": [{"path": "dibao.standard", "from": "2020-01-01",
                                                                  "percent": 10}]})
    raised = scenarios.apply(base, raise_, 2020)
    monkeypatch.setenv(simcache.ENV, str(tmp_path))
    first = simcache.simulate(base, 2020, seed=1)
    assert len(list(tmp_path.iterdir())) == 1
    pd.testing.assert_frame_equal(simcache.simulate(base, 2020, seed=1), first)       # read back
    assert len(list(tmp_path.iterdir())) == 1
    cases = [(raised, 2020, (), 1), (base, 2021, (), 1), (base, 2020, (), 2), (base, 2020, (raise_,), 1)]
    for n, (paramset, year, chosen, seed) in enumerate(cases, start=2):
        cached = simcache.simulate(paramset, year, chosen, seed=seed)
        assert len(list(tmp_path.iterdir())) == n
        pd.testing.assert_frame_equal(cached, engine.simulate(paramset.district.code, year, scenarios=list(chosen),
                                                              seed=seed, params=paramset))
    assert simcache.simulate(raised, 2020, seed=1)["amount_yuan"].sum() > first["amount_yuan"].sum()
    monkeypatch.delenv(simcache.ENV)
    pd.testing.assert_frame_equal(simcache.simulate(base, 2020, seed=1), first)          # no folder: the engine
    assert len(list(tmp_path.iterdir())) == len(cases) + 1
