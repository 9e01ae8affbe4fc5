"""Cases a domain expert can write: ``tests/cases/<program>.yaml``, each one household and its
members (or none, for a case-flow program), a month, parameter values the case assumes, and the
amount each line pays that month. Values under ``params`` are in the leaf's base unit and hold from
2000 on; everything else is the district's own parameters."""
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import yaml

from civsim import engine, params, programs, roll as roll_module, schema
from civsim.params import UNITS, Entry, Leaf

CASES = Path(__file__).parent / "cases"
ALL = [(path.stem, case) for path in sorted(CASES.glob("*.yaml")) for case in yaml.safe_load(path.read_text(encoding="utf-8"))]


def case_params(case):
    base = params.load(case.get("district", "东西湖区"))
    leaves = dict(base.leaves)
    for path, value in (case.get("params") or {}).items():
        unit = UNITS[schema.declared()[path][0].unit][0]
        leaves[path] = Leaf(path, unit, unit, (Entry(dt.date(2000, 1, 1), float(value), "case"),), "case")
    return base.with_leaves(leaves, "baseline")


def case_roll(case, p):
    household = dict(case.get("household") or {"area": "urban", "category": "other"})
    members = household.pop("members", [{"age": 40}])
    households = pd.DataFrame([{"household_id": 1, "size": len(members), **household}])
    persons = pd.DataFrame([{"person_id": i + 1, "household_id": 1, **m} for i, m in enumerate(members)])
    for table, columns in ((households, roll_module.HOUSEHOLD_COLUMNS), (persons, roll_module.PERSON_COLUMNS)):
        for name, (_, default, _) in columns.items():
            if name not in table:
                table[name] = default
            elif table[name].dtype == object:
                table[name] = table[name].fillna(default if default is not None else "")
    date = pd.Period(case["period"], "M").start_time.date()
    standards = {a: p.get(f"dibao.standard.{a}", date, 0.0) for a in roll_module.AREAS}
    return roll_module.from_tables(households[list(roll_module.HOUSEHOLD_COLUMNS)].astype({"income": float}),
                                   persons[list(roll_module.PERSON_COLUMNS)], case["period"], standards)


@pytest.mark.parametrize("program, case", ALL, ids=[f"{p}: {c['name']}" for p, c in ALL])
def test_case(program, case):
    p = case_params(case)
    month = pd.period_range(case["period"], case["period"], freq="M")
    sim = engine.Simulation(p, month[0].year, roll=case_roll(case, p), months=month)
    paid = sim.run(p).groupby("program")["amount_yuan"].sum()
    for line, expected in case["output"].items():
        assert line in programs.LINES, f"{line} is not a declared line"
        assert paid.get(line, 0.0) == pytest.approx(expected, abs=0.005), line


def test_every_program_has_at_least_three_cases():
    counts = pd.Series([p for p, _ in ALL]).value_counts()
    assert {key: int(counts.get(key, 0)) for key in programs.PROGRAMS if counts.get(key, 0) < 3} == {}
