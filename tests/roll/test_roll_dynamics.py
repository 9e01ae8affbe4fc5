"""The district's 低保 dynamics from its own rolls: rates, gaps, 档 and members counted exactly on a
handmade history, written to params/calibration naming the rolls, read back as the district's own
values by a run from the latest roll, and learnt close to the true rates of a seeded sample."""

import hashlib
import shutil

import numpy as np
import pandas as pd
import pytest
import yaml

from civsim import calibrate, calibration_file, dynamics as income_dynamics, engine, params, roll_io
from civsim.bureau import dynamics
from civsim.cli import main
from civsim.errors import CivsimError
from civsim.params import PARAMS

DISTRICT, FINGERPRINT = "东西湖区", "0123456789ab"
MONTHS = ("2021-01", "2021-02", "2021-03")


def _write_month(folder, month, households, fingerprint=FINGERPRINT):
    """One month's roll folder from rows (hash, area, category, tier, age, grade, ill): one person each,
    household ids renumbered every month as an import does."""
    folder.mkdir(parents=True)
    rows = pd.DataFrame(households, columns=["pid_hash", "area", "category", "tier", "age", "grade", "ill"])
    day = pd.Period(month, "M").start_time.date()
    p = params.load(DISTRICT)
    standard = rows["area"].map({a: p.get(f"dibao.standard.{a}", day) for a in ("urban", "rural")})
    ids = np.arange(len(rows))[::-1]  # ids differ from the month before: linking goes by hash
    pd.DataFrame(
        {
            "household_id": ids,
            "area": rows["area"],
            "size": 1,
            "income": standard * 0.25,
            "category": rows["category"],
            "tier": rows["tier"],
        }
    ).sort_values("household_id").to_csv(folder / "households.csv", index=False)
    pd.DataFrame(
        {
            "person_id": ids,
            "household_id": ids,
            "pid_hash": rows["pid_hash"],
            "age": rows["age"],
            "disability_grade": rows["grade"],
            "seriously_ill": rows["ill"],
        }
    ).sort_values("person_id").to_csv(folder / "persons.csv", index=False)
    (folder / "roll.yaml").write_text(
        yaml.safe_dump({"month": month, "salt_fingerprint": fingerprint}), encoding="utf-8"
    )


def _row(i, area):
    # urban: 档 1 for a fifth, 2 for three tenths, 3 for the rest; rural pays the gap (no 档)
    tier = (1 if i % 10 < 2 else 2 if i % 10 < 5 else 3) if area == "urban" else 0
    return (
        f"h{i:05d}",
        area,
        "dibao",
        tier,
        70 if i % 4 == 0 else 40,
        1 if i % 10 == 0 else 3 if i % 10 == 1 else 0,
        int(i % 20 == 0),
    )


@pytest.fixture
def history(tmp_path):
    """January: 60 urban and 40 rural households. February: urban 0–5 gone, rural 60–62 gone, 64
    moved to 特困 (an exit from 低保), urban 100–101 and rural 200–203 new. March: urban 6 gone, rural
    204 new."""
    jan = [_row(i, "urban") for i in range(60)] + [_row(i, "rural") for i in range(60, 100)]
    feb = [r for r in jan if int(r[0][1:]) not in (0, 1, 2, 3, 4, 5, 60, 61, 62)]
    feb = [(r[0], r[1], "tekun", 0, *r[4:]) if r[0] == "h00064" else r for r in feb]
    feb += [_row(i, "urban") for i in (100, 101)] + [_row(i, "rural") for i in (200, 201, 202, 203)]
    mar = [r for r in feb if r[0] != "h00006"] + [_row(204, "rural")]
    root = tmp_path / "history"
    for month, rows in zip(MONTHS, (jan, feb, mar)):
        _write_month(root / month, month, rows)
    return root


def test_rates_gaps_tiers_and_members_counted_on_the_rolls(history):
    learnt = dynamics.learn(history, DISTRICT)
    t = learnt.transitions.set_index(["from", "area"])
    assert t.loc[("2021-01", "urban"), ["stock", "exits", "entries"]].tolist() == [60, 6, 2]
    assert t.loc[("2021-01", "rural"), ["stock", "exits", "entries"]].tolist() == [40, 4, 4]
    assert t.loc[("2021-02", "urban"), ["stock", "exits", "entries"]].tolist() == [56, 1, 0]
    assert t.loc[("2021-02", "rural"), ["stock", "exits", "entries"]].tolist() == [40, 0, 1]
    values = {k: v for k, (v, _) in learnt.values.items()}
    assert values["dibao.exit_rate"] == pytest.approx(11 / 196)
    assert values["dibao.entry_rate"] == pytest.approx(7 / 196)
    assert values["dibao.gap_ratio.urban"] == pytest.approx(0.75) and values["dibao.gap_ratio.rural"] == pytest.approx(
        0.75
    )
    urban = pd.concat([pd.read_csv(history / m / "households.csv") for m in MONTHS]).query(
        "area == 'urban' and category == 'dibao'"
    )
    assert values["dibao.tier_share.first.urban"] == pytest.approx((urban["tier"] == 1).mean())
    assert values["dibao.tier_share.second.urban"] == pytest.approx((urban["tier"] == 2).mean())
    assert "dibao.tier_share.first.rural" not in values  # rural pays the gap: no 档 on its rows
    persons = pd.concat(
        [
            pd.read_csv(history / m / "persons.csv").merge(
                pd.read_csv(history / m / "households.csv")[["household_id", "category"]]
            )
            for m in MONTHS
        ]
    ).query("category == 'dibao'")
    assert values["dibao.members.elderly"] == pytest.approx((persons["age"] >= 60).mean())
    assert values["dibao.members.severe_disability"] == pytest.approx(persons["disability_grade"].between(1, 2).mean())
    assert values["dibao.members.disability"] == pytest.approx(persons["disability_grade"].between(3, 4).mean())
    assert values["dibao.members.seriously_ill"] == pytest.approx(persons["seriously_ill"].mean())
    assert not any("take_up" in path for path in values)  # a roll of claimers says nothing of take-up
    sha = hashlib.sha256((history / "2021-01" / "households.csv").read_bytes()).hexdigest()[:16]
    assert learnt.references[0] == f"roll 2021-01 (salt fingerprint {FINGERPRINT}, households.csv sha256 {sha})"


@pytest.fixture
def root(tmp_path):
    out = tmp_path / "params"
    shutil.copytree(PARAMS, out)
    return out


def test_written_from_the_first_month_naming_the_rolls_and_read_by_a_run_from_the_latest(history, root, monkeypatch):
    learnt = dynamics.learn(history, DISTRICT)
    dynamics.write(learnt, root)
    dynamics.write(learnt, root)  # again: replaced, not repeated
    p = params.load(DISTRICT, root)
    exit_rate = learnt.values["dibao.exit_rate"][0]
    assert p.get("dibao.exit_rate", "2021-02") == round(exit_rate, 4)
    assert p.get("dibao.exit_rate", "2020-12") == params.load(DISTRICT).get("dibao.exit_rate", "2020-12")
    entry = p.leaf("dibao.exit_rate").at(pd.Timestamp("2021-01-01").date())
    assert entry.source == "calibration" and entry.fitted_to == tuple(learnt.references)
    assert len(p.leaf("dibao.exit_rate").entries) == len(params.load(DISTRICT).leaf("dibao.exit_rate").entries) + 1
    real_load = params.load
    with monkeypatch.context() as m:  # the figures fitted one by one: a roll is not one of them
        m.setattr(params, "load", lambda district, r=root, calibrated=True: real_load(district, root, calibrated))
        figures = calibrate.own_figures(DISTRICT, 2020) + calibrate.own_figures(DISTRICT, 2021)
    assert figures and not any(f.startswith("roll") for f in figures)

    seen = []
    real = income_dynamics.income_path

    def spy(roll, pool, months, entry_rate, exit_rate, gap_ratio, draws=None):
        seen.append(
            (income_dynamics.span(roll, months), np.asarray(exit_rate), np.asarray(entry_rate), np.asarray(gap_ratio))
        )
        return real(roll, pool, months, entry_rate, exit_rate, gap_ratio, draws)

    monkeypatch.setattr(income_dynamics, "income_path", spy)
    roll = roll_io.load_folder(p, 2021, history / MONTHS[-1])
    assert str(roll.anchor) == MONTHS[-1]
    sim = engine.Simulation(p, 2021, roll=roll)
    sim.income(p)
    span, exits, entries, gaps = seen[-1]
    assert list(span.astype(str)[:1]) == ["2021-01"]
    assert np.allclose(exits, round(exit_rate, 4)) and np.allclose(
        entries, round(learnt.values["dibao.entry_rate"][0], 4)
    )
    assert np.allclose(gaps, 0.75)


def test_the_command_prints_and_refuses_in_one_line(history, capsys, tmp_path):
    assert main(["calibrate", "--district", DISTRICT, "--roll", str(history)]) == 0
    out = capsys.readouterr().out
    assert "月退出率" in out and "dibao.exit_rate = 0.0561" in out and "享受率" in out and "roll 2021-01" in out
    assert "h000" not in out  # no person's hash in any output
    assert main(["calibrate", "--district", DISTRICT, "--roll", str(history), "--year", "2021"]) == 2
    assert "not with --roll" in capsys.readouterr().err
    assert main(["calibrate", "--district", DISTRICT, "--roll", str(history / MONTHS[0])]) == 2
    assert "not a roll history" in capsys.readouterr().err
    shutil.rmtree(history / MONTHS[1])
    assert main(["calibrate", "--district", DISTRICT, "--roll", str(history)]) == 2
    assert "without gaps" in capsys.readouterr().err
    other = tmp_path / "h420112198001011234"
    _write_month(other / "2021-01", "2021-01", [_row(1, "urban")])
    _write_month(other / "2021-02", "2021-02", [_row(1, "urban")], fingerprint="ba9876543210")
    assert main(["calibrate", "--district", DISTRICT, "--roll", str(other)]) == 2
    err = capsys.readouterr().err
    assert "same salt" in err and "420112198001011234" not in err and err.count("\n") == 1


def test_the_loader_takes_roll_references_only_as_written(root):
    target = root / "calibration" / "420112-dongxihu.yaml"
    text = target.read_text(encoding="utf-8")
    ref = "roll 2021-01 (salt fingerprint 0123456789ab, households.csv sha256 0123456789abcdef)"

    def with_leaf(path, unit, value, fitted_to):
        tree = yaml.safe_load(text)
        node = tree
        for part in path.split(".")[:-1]:
            node = node.setdefault(part, {})
        node[path.split(".")[-1]] = {
            "unit": unit,
            "description": "x",
            "values": {"2021-01-01": {"value": value, "fitted_to": fitted_to, "calibration": "measured"}},
        }
        target.write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
        params.clear_cache()

    with_leaf("dibao.exit_rate", "per_month", 0.02, [ref])
    assert params.load(DISTRICT, root).get("dibao.exit_rate", "2021-02") == 0.02  # over the national statistic
    with_leaf("dibao.standard.urban", "yuan/person/month", 900, [ref])
    with pytest.raises(CivsimError, match="a fitted value over one"):  # a rule's value stays the rule's
        params.load(DISTRICT, root)
    with_leaf("dibao.exit_rate", "per_month", 0.02, ["roll 2021-01 somewhere"])
    with pytest.raises(CivsimError, match="bad figure list"):
        params.load(DISTRICT, root)
    params.clear_cache()


def test_the_sample_turns_over_at_the_rates_given(tmp_path, capsys):
    assert (
        main(
            [
                "roll",
                "sample",
                "--district",
                DISTRICT,
                "--households",
                "10",
                "--months",
                "2",
                "--exit-rate",
                "0.7",
                "--out",
                str(tmp_path),
            ]
        )
        == 2
    )
    assert "0.7 is out of range" in capsys.readouterr().err
    from civsim.bureau import sample

    tables = sample.build(DISTRICT, 400, seed=2)
    gone = sample.turned_over(
        DISTRICT, tables, pd.Period("2020-11", "M"), np.random.default_rng(1), exit_rate=1.0, entry_rate=0.0
    )
    assert all(len(house) == 0 for house, _, _ in gone.values())
    doubled = sample.turned_over(
        DISTRICT, tables, pd.Period("2020-11", "M"), np.random.default_rng(1), exit_rate=0.0, entry_rate=0.5
    )
    for label, (house, person, _) in doubled.items():
        before = len(tables[label][0])
        assert before < len(house) <= 2 * before and set(tables[label][0]["户主身份证号"]) <= set(house["户主身份证号"])
        assert set(person["户主身份证号"]) == set(house["户主身份证号"])


@pytest.mark.slow
def test_learnt_rates_come_close_to_the_sample_s_true_rates(tmp_path, monkeypatch):
    """A year of a 1,000-household sample turning over at 2 % out and 1 % in a month. The 低保 stock
    is about 750 households, so 11 months give about 8,000 household-months: the standard error
    of a rate p is √(p/8,000) — 0.0016 for 2 %, 0.0011 for 1 % — and the learnt rates must lie
    within three of them. The gap's truth is the sample's: income ∈ U(0, 0.8) × standard, mean gap
    0.6 in the first month, rising a little as the standard rises over incomes held fixed."""
    monkeypatch.setenv("CIVSIM_SALT_DIR", str(tmp_path / "salt"))
    assert (
        main(
            [
                "roll",
                "sample",
                "--district",
                DISTRICT,
                "--households",
                "1000",
                "--months",
                "12",
                "--exit-rate",
                "0.02",
                "--entry-rate",
                "0.01",
                "--out",
                str(tmp_path / "exports"),
            ]
        )
        == 0
    )
    months = sorted((tmp_path / "exports").iterdir())
    assert main(["roll", "import", *map(str, months), "--district", DISTRICT, "--out", str(tmp_path / "history")]) == 0
    learnt = dynamics.learn(tmp_path / "history", DISTRICT)
    values = {k: v for k, (v, _) in learnt.values.items()}
    stock = learnt.transitions["stock"].sum()
    assert 7_000 < stock < 9_000
    for leaf, truth in (("dibao.exit_rate", 0.02), ("dibao.entry_rate", 0.01)):
        assert abs(values[leaf] - truth) < 3 * np.sqrt(truth / stock), (leaf, values[leaf])
    for area in ("urban", "rural"):
        assert 0.58 < values[f"dibao.gap_ratio.{area}"] < 0.64
    # members: 8 % disabled, 5/8 of them grade 1–2 and 3/8 grade 3–4; 5 % seriously ill
    assert values["dibao.members.severe_disability"] == pytest.approx(0.05, abs=0.01)
    assert values["dibao.members.disability"] == pytest.approx(0.03, abs=0.01)
    assert values["dibao.members.seriously_ill"] == pytest.approx(0.05, abs=0.01)


def test_a_fit_to_reported_totals_keeps_what_the_rolls_measured(history, root):
    learnt = dynamics.learn(history, DISTRICT)
    dynamics.write(learnt, root)
    path = "dibao.gap_ratio.urban"
    fit = calibrate.Fit(
        DISTRICT,
        2021,
        (calibrate.Unknown(path, 0.6, 0.1, 0.05, 0.95),),
        np.array([0.5]),
        pd.DataFrame(),
        ("dibao amount_yuan 2021-01..2021-10",),
        moves=np.array([[True]]),
    )
    calibration_file.write(fit, root)
    params.clear_cache()
    p = params.load(DISTRICT, root)
    measured = p.leaf(path).at(pd.Timestamp("2021-01-01").date())
    assert measured.value == 0.75 and measured.fitted_to == tuple(learnt.references)
    assert calibrate._measured(p, path, pd.Timestamp("2021-06-01").date())
    assert not calibrate._measured(p, "dibao.gap_ratio.urban", pd.Timestamp("2020-06-01").date())
    params.clear_cache()
