"""The bureau's roll end to end, each command as a user types it: sample → import → check →
simulate → compare → project (the report from the roll: tests/install/test_wheel.py, the README's
command), on a sample holding 低保边缘 families as real exports
do. 东西湖区 declares no periodic cash for them: they are on the roll, counted in the caseload
tables and paid nothing, with one line saying so; a caseload the district declares in its own
params without the amount stays an error."""

import pandas as pd
import pytest

from civsim import engine, params, programs, roll_io, schema
from civsim.cli import main
from civsim.errors import CivsimError
from conftest import ROOT

SAMPLE = ROOT / "data" / "samples" / "420112-dongxihu"
UNPAID_LINE = "低保边缘家庭救助（edge）：台账中"


@pytest.fixture(autouse=True)
def _salt_outside(tmp_path, monkeypatch):
    monkeypatch.setenv("CIVSIM_SALT_DIR", str(tmp_path / "salt"))


def _cli(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out + captured.err


def test_the_roll_flow_runs_on_its_own_sample(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    text = _cli(capsys, "roll", "sample", "--district", "东西湖区", "--households", "400", "--out", "exports/")
    files = sorted(str(p.relative_to(tmp_path)) for p in (tmp_path / "exports").glob("*.xlsx"))
    assert len(files) == 8 and any("低保边缘" in f for f in files)
    text = _cli(capsys, "roll", "import", *files, "--district", "东西湖区", "--out", "my_roll/")
    assert "400 户" in text
    text = _cli(capsys, "roll", "check", "--district", "东西湖区", "--roll", "my_roll/")
    unpaid = [line for line in text.splitlines() if line.startswith(UNPAID_LINE)]
    assert len(unpaid) == 1 and "60户" in unpaid[0] and "edge.amount" in unpaid[0] and "不发放" in unpaid[0]
    assert "其余 0 户" in text  # every 低保 household as exported, to the yuan
    _cli(capsys, "simulate", "--district", "东西湖区", "--year", "2020", "--roll", "my_roll/", "--csv", "sim.csv")
    sim = pd.read_csv(tmp_path / "sim.csv")
    october = sim[sim["month"] == "2020-10"].groupby("program")[["households", "amount_yuan"]].sum()
    assert october.loc["edge", "households"] == 60 and october.loc["edge", "amount_yuan"] == 0
    assert october.loc["dibao", "households"] > 200 and october.loc["dibao", "amount_yuan"] > 0
    _cli(
        capsys,
        "compare",
        "--district",
        "东西湖区",
        "--year",
        "2021",
        "--scenario",
        "dibao_plus5_july",
        "--roll",
        "my_roll/",
        "--csv",
        "compare.csv",
    )
    compare = pd.read_csv(tmp_path / "compare.csv")
    assert compare.loc[compare["program"] == "dibao", "better_off"].sum() > 200
    _cli(
        capsys,
        "project",
        "--district",
        "东西湖区",
        "--year",
        "2021",
        "--draws",
        "2",
        "--years",
        "1",
        "--roll",
        "my_roll/",
        "--xlsx",
        "budget.xlsx",
    )
    assert (tmp_path / "budget.xlsx").stat().st_size > 5000


def test_the_shipped_sample_runs_from_its_folder_of_exports(tmp_path, capsys):
    """`simulate --roll` and `roll check` on the shipped exports themselves (nothing written)."""
    before = sorted(p.name for p in SAMPLE.iterdir())
    text = _cli(capsys, "roll", "check", "--district", "东西湖区", "--roll", str(SAMPLE))
    assert sum(line.startswith(UNPAID_LINE) for line in text.splitlines()) == 1
    _cli(
        capsys,
        "simulate",
        "--district",
        "东西湖区",
        "--year",
        "2020",
        "--roll",
        str(SAMPLE),
        "--csv",
        str(tmp_path / "sim.csv"),
    )
    sim = pd.read_csv(tmp_path / "sim.csv")
    edge = sim[(sim["program"] == "edge") & (sim["month"] == "2020-10")]
    assert edge["households"].sum() > 0 and edge["amount_yuan"].sum() == 0
    assert sorted(p.name for p in SAMPLE.iterdir()) == before


def _roll(tmp_path):
    from civsim.bureau import commands

    commands.run_import(sorted(SAMPLE.glob("*.xlsx")), "东西湖区", tmp_path / "roll", salt="a-salt-for-the-test-only")
    return roll_io.load_folder(params.load("东西湖区"), 2020, tmp_path / "roll")


def _october_edge(frame):
    return frame[(frame["month"] == pd.Period("2020-10", "M")) & (frame["program"] == "edge")]


def _with(base, extra: dict):
    return base.with_leaves({**base.leaves, **extra}, "baseline")


def test_what_the_district_declares_is_paid_and_a_declared_caseload_without_amount_is_an_error(tmp_path):
    base = params.load("东西湖区")
    roll = _roll(tmp_path)
    edge_households = int((roll.households["category"] == "edge").sum())
    assert edge_households > 0
    # Nothing declared: on the roll, counted, paid nothing.
    sim = engine.Simulation(base, 2020, roll=roll)
    assert "edge" in {p.key for p in sim.programs} and sim.prepared.unpaid == {"edge.amount"}
    october = _october_edge(sim.run(base))
    assert october["households"].sum() == edge_households and october["amount_yuan"].sum() == 0
    # An amount declared (here the urban 低保 standard's leaf, yuan/person/month): paid it.
    paid = _with(base, {"edge.amount": base.leaves["dibao.standard.urban"]})
    sim = engine.Simulation(paid, 2020, roll=roll)
    assert sim.prepared.unpaid == set()
    amount = paid.at("edge.amount", "2020-10")
    october = _october_edge(sim.run(paid))
    assert amount > 0 and october["amount_yuan"].sum() == pytest.approx(amount * october["persons"].sum())
    # A caseload declared in params without the amount: a figure without a rule, on either roll.
    declared = _with(
        base,
        {
            f"caseload.edge.{a}.{m}": base.leaves[f"caseload.dibao.{a}.{m}"]
            for a in ("urban", "rural")
            for m in ("households", "persons")
        },
    )
    for on in (None, roll):
        with pytest.raises(CivsimError, match="edge.amount: missing: 低保边缘家庭救助"):
            engine.Simulation(declared, 2020, roll=on)


def test_a_rule_declared_in_part_or_another_programs_leaf_missing_stays_an_error(tmp_path):
    base = params.load("东西湖区")
    roll = _roll(tmp_path)
    without_standard = base.with_leaves({k: v for k, v in base.leaves.items() if k != "dibao.standard.rural"}, "x")
    with pytest.raises(CivsimError, match="dibao.standard.rural: missing"):
        engine.Simulation(without_standard, 2020, roll=roll)
    tekun = next(p for p in programs.REGISTRY if p.key == "tekun")
    care = [k for k, v in tekun.params.items() if v.required and k.startswith("tekun.care")]
    assert care and all(base.has(k) for k in care)
    part = base.with_leaves({k: v for k, v in base.leaves.items() if k != care[0]}, "x")
    assert schema.unpaid(part, tekun) == []
    with pytest.raises(CivsimError, match=f"{care[0]}: missing"):
        engine.Simulation(part, 2020, roll=roll)


def test_civsim_check_says_in_one_line_that_the_roll_s_edge_families_are_paid_nothing(capsys):
    code = main(["check", "--district", "东西湖区", "--year", "2020"])
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if "低保边缘家庭救助（edge）" in line]
    assert code == 0 and len(lines) == 1 and "edge.amount" in lines[0] and "不发放" in lines[0]
