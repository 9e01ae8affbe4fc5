"""Cases a domain expert can write: ``tests/programs/cases/<program>.yaml``, each one household and its
members (or none, for a case-flow program), a month, parameter values the case assumes, and the
amount each line pays that month (the format of ``civsim household`` and ``civsim cases``, read by
:mod:`civsim.household`). Values under ``params`` are in the leaf's base unit and hold from 2000
on; everything else is the district's own parameters.

Each case runs both ways: the engine's plain run (no trace, as every simulation runs) and the
household calculator (a trace on), which must agree to the fen and with the expected amounts."""

from pathlib import Path

import pandas as pd
import pytest

from civsim import cli, engine, household, household_text, programs

CASES = Path(__file__).parent / "cases"
FILES = sorted(CASES.glob("*.yaml"))
ALL = [(path.stem, case) for path in FILES for case in household.load(path)]


@pytest.mark.parametrize("program, case", ALL, ids=[f"{p}: {c.name}" for p, c in ALL])
def test_case(program, case):
    period = case.periods[0]
    p = household.case_params(case)
    months = pd.period_range(period, period, freq="M")
    sim = engine.Simulation(p, period.year, roll=household.case_roll(case, p, period), months=months)
    paid = sim.run(p).groupby("program")["amount_yuan"].sum()
    outcome = household.compute(case)
    calculated = outcome.months[0]
    for line, expected in case.output[period].items():
        assert line in programs.LINES, f"{line} is not a declared line"
        total = sum(expected) if isinstance(expected, list) else expected
        assert paid.get(line, 0.0) == pytest.approx(total, abs=0.005), line
        assert calculated.amounts.get(line, 0.0) == pytest.approx(paid.get(line, 0.0), abs=1e-9), line
    assert household.mismatches(case, outcome) == []
    # the working ends in the engine's amount, and cites what the rule read
    for line in household_text.household_lines(outcome):
        text = household_text.working(outcome, period, line)
        assert text.startswith(programs.LINES[line]) or programs.LINES[line] in text
        assert f"金额 {calculated.amounts.get(line, 0.0):,.2f}元" in text


def test_every_program_has_at_least_three_cases():
    counts = pd.Series([p for p, _ in ALL]).value_counts()
    assert {key: int(counts.get(key, 0)) for key in programs.PROGRAMS if counts.get(key, 0) < 3} == {}


def test_cli_cases_passes_the_shipped_files_and_fails_a_wrong_amount(tmp_path, capsys):
    assert cli.main(["cases", *map(str, FILES[:3])]) == 0
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(
        (CASES / "dibao.yaml").read_text(encoding="utf-8").replace("output: {dibao: 860}", "output: {dibao: 861}"),
        encoding="utf-8",
    )
    assert cli.main(["cases", str(wrong)]) == 1
    out = capsys.readouterr().out
    assert "不符" in out and "应为 861.00元，算得 860.00元" in out
